// The tests' own MAAS HTTP client: OAuth PLAINTEXT headers written by hand, plain fetch, no code of
// provider/ (the simulator is checked against MAAS's documented answers, not against our client).
import assert from "node:assert/strict";
import type { TestSimulator } from "../helpers/simulator";

export interface Res { status: number; text: string; ct: string; json: any }

/** `current()` gives the simulator the calls go to (set in the test file's before()). */
export function maasHttp(current: () => TestSimulator) {
  let n = 0;
  function oauth(key: string, style: "quoted" | "unquoted" = "quoted", nonce?: string): string {
    const [ck, tk, ts] = key.split(":");
    const no = nonce ?? `n${Date.now()}${n++}`;
    const t = Math.floor(Date.now() / 1000);
    if (style === "unquoted") return `OAuth oauth_version=1.0, oauth_signature_method=PLAINTEXT, oauth_consumer_key=${ck}, oauth_token=${tk}, oauth_signature=&${ts}, oauth_nonce=${no}, oauth_timestamp=${t}`;
    return `OAuth realm="", oauth_nonce="${no}", oauth_timestamp="${t}", oauth_version="1.0", oauth_signature_method="PLAINTEXT", oauth_consumer_key="${ck}", oauth_token="${tk}", oauth_signature="%26${ts}"`;
  }
  async function call(method: string, path: string, params: Record<string, string | string[]> = {}, o: { auth?: string | null; multipart?: boolean } = {}): Promise<Res> {
    const usp = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) usp.append(k, x);
    let url = `${current().url}/api/2.0/${path}`;
    const headers: Record<string, string> = {};
    const auth = o.auth === undefined ? oauth(current().apiKey) : o.auth;
    if (auth) headers.Authorization = auth;
    let body: string | FormData | undefined;
    if (method === "GET" || method === "DELETE") {
      if (usp.toString()) url += (url.includes("?") ? "&" : "?") + usp.toString();
    } else if (o.multipart) {
      const fd = new FormData();
      for (const [k, v] of usp) fd.append(k, v);
      body = fd;
    } else {
      body = usp.toString();
      headers["Content-Type"] = "application/x-www-form-urlencoded";
    }
    const r = await fetch(url, { method, headers, body, redirect: "manual" });
    const text = await r.text();
    let json: any;
    try { json = JSON.parse(text); } catch { json = undefined; }
    return { status: r.status, text, ct: r.headers.get("content-type") ?? "", json };
  }
  async function waitStatus(sid: string, status: number, ms = 10000): Promise<any> {
    const end = Date.now() + ms;
    let last: any;
    while (Date.now() < end) {
      last = (await call("GET", `machines/${sid}/`)).json;
      if (last.status === status) return last;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`machine ${sid} stuck in ${last?.status_name}, wanted ${status}`);
  }
  async function create(mac: string, extra: Record<string, string> = {}): Promise<any> {
    const r = await call("POST", "machines/", { mac_addresses: mac, architecture: "amd64/generic", power_type: "ipmi", power_parameters_power_address: "10.9.9.9", ...extra });
    assert.equal(r.status, 200, r.text);
    return r.json;
  }
  const JSON_CT = /^application\/json/;
  const TEXT = /^text\/plain/;
  return { oauth, call, waitStatus, create, JSON_CT, TEXT };
}
