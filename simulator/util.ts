import { createHash } from "node:crypto";

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Hash of arbitrary parts to a float in [0,1). */
export function hashUnit(...parts: Array<string | number | null | undefined>): number {
  const h = createHash("sha256").update(parts.map((p) => String(p ?? "")).join("\u0000")).digest();
  return h.readUInt32BE(0) / 4294967296;
}

export function hashInt(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export const MiB = 1024 * 1024;

export class ApiError extends Error {
  constructor(
    public status: number,
    public body: string | object,
    public headers: Record<string, string> = {},
  ) {
    super(typeof body === "string" ? body : JSON.stringify(body));
  }
}

export const conflict = (msg: string) => new ApiError(409, msg);
export const badRequest = (msg: string) => new ApiError(400, msg);
export const fieldErrors = (errs: Record<string, string[]>) => new ApiError(400, errs);
export const forbidden = (msg = "") => new ApiError(403, msg);
export const notFound = (model: string) => new ApiError(404, `No ${model} matches the given query.`);

/** MAAS machine_readable_bytes: integer or number with one SI suffix K M G T P E. */
export function parseSize(v: string, field = "size"): number {
  const m = /^\s*([0-9]+(?:\.[0-9]+)?)\s*([kKmMgGtTpPeE])?\s*$/.exec(v);
  if (!m) throw fieldErrors({ [field]: ["Enter a whole number."] });
  const mult: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15, e: 1e18 };
  const n = parseFloat(m[1]!) * (m[2] ? mult[m[2].toLowerCase()]! : 1);
  return Math.floor(n);
}

export function djangoBool(v: string | undefined): boolean {
  if (v === undefined) return false;
  const s = v.trim().toLowerCase();
  return !(s === "" || s === "false" || s === "0" || s === "off" || s === "no");
}

export function stringBool(v: string | undefined, dflt = false): boolean {
  if (v === undefined) return dflt;
  const s = v.trim().toLowerCase();
  if (["true", "1", "yes", "on"].includes(s)) return true;
  if (["false", "0", "no", "off", ""].includes(s)) return false;
  throw badRequest(`Value must be one of: true; false; 1; 0; yes; no; on; off (not '${v}')`);
}

export function uuid4(r: () => number): string {
  const hex = "0123456789abcdef";
  let s = "";
  for (let i = 0; i < 32; i++) s += hex[Math.floor(r() * 16)];
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-a${s.slice(17, 20)}-${s.slice(20, 32)}`;
}

export function normMac(mac: string): string | null {
  const s = mac.trim().toLowerCase().replace(/-/g, ":");
  if (/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/.test(s)) return s;
  if (/^[0-9a-f]{12}$/.test(s)) return s.match(/../g)!.join(":");
  return null;
}

export function humanSize(bytes: number): string {
  const units = ["bytes", "kB", "MB", "GB", "TB", "PB"];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return i === 0 ? `${v} bytes` : `${v.toFixed(1)} ${units[i]}`;
}

export function ipToInt(ip: string): number {
  return ip.split(".").reduce((a, o) => a * 256 + Number(o), 0);
}
export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}
export function cidrRange(cidr: string): { net: number; size: number } {
  const [ip, bits] = cidr.split("/");
  const b = Number(bits);
  const size = 2 ** (32 - b);
  const net = Math.floor(ipToInt(ip!) / size) * size;
  return { net, size };
}
export function ipInCidr(ip: string, cidr: string): boolean {
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return false;
  const { net, size } = cidrRange(cidr);
  const n = ipToInt(ip);
  return n >= net && n < net + size;
}
