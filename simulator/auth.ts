import type { User } from "./state";
import { ApiError } from "./util";

export interface Credentials {
  consumerKey: string;
  tokenKey: string;
  tokenSecret: string;
  user: User;
}

export function parseApiKey(k: string): { consumerKey: string; tokenKey: string; tokenSecret: string } {
  const parts = k.split(":");
  if (parts.length !== 3 || parts.some((x) => !x)) throw new Error("API key must be consumer_key:token_key:token_secret");
  return { consumerKey: parts[0]!, tokenKey: parts[1]!, tokenSecret: parts[2]! };
}

function pct(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, "%20"));
  } catch {
    return s;
  }
}

/** Parse `OAuth k="v", k2=v2` into a map (values percent-decoded once). */
export function parseOAuthHeader(h: string): Record<string, string> | null {
  const m = /^\s*OAuth\s+(.*)$/is.exec(h);
  if (!m) return null;
  const out: Record<string, string> = {};
  const re = /\s*([A-Za-z0-9_]+)\s*=\s*(?:"([^"]*)"|([^,]*))\s*(?:,|$)/g;
  let x: RegExpExecArray | null;
  while ((x = re.exec(m[1]!)) !== null) {
    if (x[0] === "") break;
    out[x[1]!] = pct((x[2] ?? x[3] ?? "").trim());
  }
  return out;
}

const REQUIRED = ["oauth_consumer_key", "oauth_token", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce"];
const TIMESTAMP_THRESHOLD = 300;

const unauthorized = (msg: string) => new ApiError(401, `Authorization Error: ${msg}`, { "WWW-Authenticate": 'OAuth realm="OAuth"' });

export class Authenticator {
  private nonces = new Map<string, number>();
  private lastSweep = Date.now();
  constructor(private creds: Credentials[]) {}

  /** null = anonymous (no Authorization header). Throws ApiError for a bad one. */
  authenticate(header: string | undefined): User | null {
    if (header === undefined || header.trim() === "") return null;
    const o = parseOAuthHeader(header);
    if (!o) throw unauthorized("'Invalid OAuth header'");
    const missing = REQUIRED.filter((k) => !(k in o));
    if (missing.length) throw new ApiError(400, `Bad Request: 'Missing OAuth parameters: ${missing.join(", ")}'`);
    const byConsumer = this.creds.filter((c) => c.consumerKey === o.oauth_consumer_key);
    if (byConsumer.length === 0) throw unauthorized("Invalid API key.");
    const cred = byConsumer.find((c) => c.tokenKey === o.oauth_token);
    if (!cred) throw unauthorized(`'Invalid access token: ${o.oauth_token}'`);
    if (o.oauth_signature_method!.toUpperCase() !== "PLAINTEXT") throw unauthorized(`'Unsupported signature method: ${o.oauth_signature_method}'`);
    let sig = o.oauth_signature!;
    if (sig.includes("%")) sig = pct(sig);
    if (sig !== `&${cred.tokenSecret}`) throw unauthorized("'Invalid signature.'");
    const ts = Number(o.oauth_timestamp);
    const now = Math.floor(Date.now() / 1000);
    if (!Number.isFinite(ts) || Math.abs(now - ts) > TIMESTAMP_THRESHOLD)
      throw unauthorized(`'Expired timestamp: given ${o.oauth_timestamp} and now ${now} has a greater difference than threshold ${TIMESTAMP_THRESHOLD}'`);
    const nk = `${cred.consumerKey}:${cred.tokenKey}:${o.oauth_nonce}`;
    this.sweep();
    if (this.nonces.has(nk)) throw unauthorized(`'Nonce already used: ${o.oauth_nonce}'`);
    this.nonces.set(nk, Date.now());
    return cred.user;
  }

  private sweep(): void {
    const now = Date.now();
    if (now - this.lastSweep < 30_000) return;
    this.lastSweep = now;
    for (const [k, t] of this.nonces) if (now - t > TIMESTAMP_THRESHOLD * 1000 * 2) this.nonces.delete(k);
  }
}
