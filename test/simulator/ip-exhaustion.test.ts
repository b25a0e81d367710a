// AUTO links on an exhausted subnet at deploy: MAAS's 503 "No more IPs available in subnet: <cidr>."
// (no Retry-After), the machine back in Allocated with no address, a WARNING event (maas-api.md §9).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator";

let sim: TestSimulator;
let dir: string;
// a /28 from which the simulator gives out .10 to .14: five addresses for six machines
const servers = Array.from({ length: 6 }, (_, i) => ({
  hostname: `rack-${i + 1}`,
  enlisted: true,
  status: "Ready",
  nics: [{ name: "eth0", mac: `52:54:00:09:00:0${i + 1}`, fabric: "fabric-0" }],
}));

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "maas-sim-ips-"));
  const inventory = join(dir, "inventory.json");
  writeFileSync(inventory, JSON.stringify({ servers, subnets: [{ cidr: "10.9.0.0/28", gateway: "10.9.0.1", fabric: "fabric-0", vid: 0 }] }));
  sim = await startTestSimulator({ speed: 3000, inventory });
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

async function idOf(hostname: string): Promise<string> {
  return ((await sim.api("GET", "machines/", { hostname })).json() as Array<{ system_id: string }>)[0]!.system_id;
}

async function waitStatus(sid: string, status: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 400; i++) {
    const m = (await sim.api("GET", `machines/${sid}/`)).json() as Record<string, unknown>;
    if (m.status_name === status) return m;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${sid} never reached ${status}`);
}

test("the sixth deployment on a five-address subnet: 503 with MAAS's text and no Retry-After; the machine stays Allocated without an address", async () => {
  const ips: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const sid = await idOf(`rack-${i}`);
    const r = await sim.api("POST", `machines/${sid}/`, { op: "deploy" });
    assert.equal(r.status, 200, r.body);
    ips.push(...((r.json() as { ip_addresses: string[] }).ip_addresses));
  }
  assert.deepEqual(ips.sort(), ["10.9.0.10", "10.9.0.11", "10.9.0.12", "10.9.0.13", "10.9.0.14"]);

  const sixth = await idOf("rack-6");
  const res = await fetch(`${sim.url}/api/2.0/machines/${sixth}/?op=deploy`, { method: "POST", headers: { Authorization: (await authHeader()) } });
  assert.equal(res.status, 503);
  assert.equal(await res.text(), "No more IPs available in subnet: 10.9.0.0/28.");
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain/);
  assert.equal(res.headers.get("retry-after"), null, "MAAS sends Retry-After only for its middleware's own 503s");

  const m = (await sim.api("GET", `machines/${sixth}/`)).json() as { status_name: string; owner: string; ip_addresses: string[]; status_message: string; interface_set: Array<{ links: Array<{ mode: string; ip_address?: string }> }> };
  assert.equal(m.status_name, "Allocated", "reverted to Allocated (the deploy had allocated it)");
  assert.equal(m.owner, "admin");
  assert.deepEqual(m.ip_addresses, []);
  assert.deepEqual(m.interface_set[0]!.links.map((l) => [l.mode, l.ip_address]), [["auto", undefined]]);
  assert.equal(m.status_message, "Failed to query node's BMC - (admin) - Aborting DEPLOYING and reverting to ALLOCATED. Unable to power control the node. Please check power credentials.");
  const warn = (await sim.api("GET", "events/", { op: "query", id: sixth, level: "WARNING" })).json() as { events: Array<{ level: string; type: string }> };
  assert.deepEqual(warn.events.map((e) => [e.level, e.type]), [["WARNING", "Failed to query node's BMC"]]);
});

test("once a deployed machine is released its address is free again and the waiting machine deploys with it", async () => {
  const first = await idOf("rack-1");
  await waitStatus(first, "Deployed");
  const freed = ((await sim.api("GET", `machines/${first}/`)).json() as { ip_addresses: string[] }).ip_addresses[0]!;
  await sim.api("POST", `machines/${first}/`, { op: "release" });
  await waitStatus(first, "Ready");
  const sixth = await idOf("rack-6");
  const r = await sim.api("POST", `machines/${sixth}/`, { op: "deploy" });
  assert.equal(r.status, 200, r.body);
  assert.deepEqual((r.json() as { ip_addresses: string[] }).ip_addresses, [freed]);
  await waitStatus(sixth, "Deployed");
});

/** The test's own OAuth header for a raw fetch (to read the response headers). */
async function authHeader(): Promise<string> {
  const [ck, tk, ts] = sim.apiKey.split(":");
  return `OAuth oauth_version="1.0", oauth_signature_method="PLAINTEXT", oauth_consumer_key="${ck}", oauth_token="${tk}", oauth_signature="%26${ts}", oauth_nonce="n${Date.now()}${Math.random()}", oauth_timestamp="${Math.floor(Date.now() / 1000)}"`;
}
