/**
 * Retry delays: exponential from `baseMs` (1 s), doubling per retry, capped at `capMs` (60 s),
 * with "equal jitter": the delay for retry n (0-based) is uniformly in [d/2, d] where
 * d = min(cap, base * 2^n). A Retry-After from the server replaces the computed delay (never beyond the cap).
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** Injectable for tests; returns [0, 1). */
  random?: () => number;
}

export function backoffDelay(retry: number, o: BackoffOptions): number {
  const exp = Math.min(o.capMs, o.baseMs * Math.pow(2, Math.min(retry, 52)));
  const r = (o.random ?? Math.random)();
  return Math.round(exp / 2 + (exp / 2) * r);
}

/** Parse a Retry-After header (delta-seconds or HTTP date) into milliseconds; undefined if absent/invalid. */
export function parseRetryAfter(value: string | string[] | undefined, now: number = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const t = v.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * 1000);
  const date = Date.parse(t);
  if (!Number.isNaN(date)) return Math.max(0, date - now);
  return undefined;
}

/** Upper bound on an honoured Retry-After, so a broken proxy cannot park us for a day. */
export const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;
