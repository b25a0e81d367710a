import type { IncomingMessage } from "node:http";

/** Multi-valued parameter bag (query string + form body). */
export class Params {
  private map = new Map<string, string[]>();
  add(k: string, v: string): void {
    const a = this.map.get(k);
    if (a) a.push(v);
    else this.map.set(k, [v]);
  }
  get(k: string): string | undefined {
    return this.map.get(k)?.[0];
  }
  getAll(k: string): string[] {
    return this.map.get(k) ?? [];
  }
  has(k: string): boolean {
    return this.map.has(k);
  }
  keys(): string[] {
    return [...this.map.keys()];
  }
  merge(o: Params): void {
    for (const k of o.keys()) for (const v of o.getAll(k)) this.add(k, v);
  }
}

export function parseQuery(qs: string): Params {
  const p = new Params();
  for (const [k, v] of new URLSearchParams(qs)) p.add(k, v);
  return p;
}

export function readBody(req: IncomingMessage, limit = 32 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let n = 0;
    req.on("data", (c: Buffer) => {
      n += c.length;
      if (n > limit) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** Minimal multipart/form-data parser (fields only; file parts are read as text). */
export function parseMultipart(body: Buffer, boundary: string): Params {
  const p = new Params();
  const delim = Buffer.from(`--${boundary}`);
  let pos = body.indexOf(delim);
  while (pos >= 0) {
    pos += delim.length;
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // closing "--"
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) pos += 2;
    else if (body[pos] === 0x0a) pos += 1;
    const next = body.indexOf(delim, pos);
    if (next < 0) break;
    let part = body.subarray(pos, next);
    // strip CRLF before the next delimiter
    if (part.length >= 2 && part[part.length - 2] === 0x0d && part[part.length - 1] === 0x0a) part = part.subarray(0, part.length - 2);
    else if (part.length >= 1 && part[part.length - 1] === 0x0a) part = part.subarray(0, part.length - 1);
    let sep = part.indexOf("\r\n\r\n");
    let sepLen = 4;
    if (sep < 0) {
      sep = part.indexOf("\n\n");
      sepLen = 2;
    }
    if (sep >= 0) {
      const headers = part.subarray(0, sep).toString("utf8");
      const value = part.subarray(sep + sepLen).toString("utf8");
      const m = /content-disposition:[^\n]*?\bname="([^"]*)"/i.exec(headers) ?? /content-disposition:[^\n]*?\bname=([^;\s]+)/i.exec(headers);
      if (m) p.add(m[1]!, value);
    }
    pos = next;
  }
  return p;
}

export function parseBody(body: Buffer, contentType: string | undefined): Params {
  const ct = (contentType ?? "").toLowerCase();
  if (body.length === 0) return new Params();
  if (ct.startsWith("multipart/form-data")) {
    const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? "");
    if (!m) return new Params();
    return parseMultipart(body, m[1] ?? m[2]!);
  }
  if (ct.startsWith("application/json")) {
    const p = new Params();
    try {
      const o = JSON.parse(body.toString("utf8")) as Record<string, unknown>;
      for (const [k, v] of Object.entries(o ?? {})) {
        if (Array.isArray(v)) for (const x of v) p.add(k, typeof x === "string" ? x : JSON.stringify(x));
        else p.add(k, typeof v === "string" ? v : JSON.stringify(v));
      }
    } catch {
      /* ignore */
    }
    return p;
  }
  return parseQuery(body.toString("utf8"));
}

export interface SimResponse {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

export const JSON_CT = "application/json; charset=utf-8";
export const TEXT_CT = "text/plain; charset=utf-8";

export function jsonRes(obj: unknown, status = 200): SimResponse {
  return { status, body: JSON.stringify(obj), contentType: JSON_CT };
}
/** DELETE's answer: 204 with an empty body. */
export function noContent(): SimResponse {
  return { status: 204, body: "", contentType: TEXT_CT };
}
export function textRes(status: number, body: string): SimResponse {
  return { status, body, contentType: TEXT_CT };
}
