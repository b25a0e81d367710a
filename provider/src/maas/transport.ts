/**
 * HTTP layer: undici keep-alive pool, OAuth signing per attempt, request timeout, a limit on requests
 * in flight, retries with backoff, and the no-blind-repeat rule for operations that change MAAS.
 */
import { Agent, request } from "undici";
import { backoffDelay, MAX_RETRY_AFTER_MS, parseRetryAfter } from "./backoff";
import { OAuthSigner } from "./auth";
import {
  AuthenticationError,
  ConflictError,
  ErrorContext,
  IpExhaustedError,
  MaasError,
  NotFoundError,
  RetriesExhaustedError,
  TransportError,
  ValidationError,
} from "./errors";
import { isStatusName } from "./status";
import { ipExhaustion } from "./exhaustion";
import { permissionDenied } from "./denied";

/** Node's codes for a certificate it does not trust. */
const TLS_CODES = new Set(["DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "CERT_HAS_EXPIRED", "ERR_TLS_CERT_ALTNAME_INVALID"]);

export type ParamValue = string | number | boolean | readonly (string | number)[] | undefined | null;
export type Params = Record<string, ParamValue>;

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Outcome of re-reading MAAS after an answer was lost: did the operation take effect? */
export type VerifyResult<T> = { applied: true; value: T } | { applied: false };

export interface RequestSpec<T> {
  method: HttpMethod;
  /** Path relative to the API root, e.g. "machines/abc123/". */
  path: string;
  /** Query parameters; put `op` here. */
  query?: Params;
  /** Form fields (application/x-www-form-urlencoded, repeated keys for lists). */
  form?: Params;
  ctx: ErrorContext;
  /** True when sending it twice has the same effect as once (GET, PUT, some ops). */
  idempotent: boolean;
  /**
   * For non-idempotent requests: called when the answer was lost after the request may have been
   * sent. Re-reads MAAS and decides whether the operation took effect; it is only re-sent if not.
   */
  verify?: () => Promise<VerifyResult<T>>;
  /** Turns a 2xx answer into the result. */
  handle: (res: RawResponse, ctx: ErrorContext) => T;
}

export interface RetryInfo {
  ctx: ErrorContext;
  /** Attempts made so far. */
  attempt: number;
  delayMs: number;
  error: MaasError;
}

export interface TransportOptions {
  /** Absolute API root ending in "/api/2.0/". */
  apiRoot: string;
  signer: OAuthSigner;
  maxRetries: number;
  requestTimeoutMs: number;
  retryBaseMs: number;
  retryCapMs: number;
  caCert?: string;
  insecure?: boolean;
  maxConcurrentRequests: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onRetry?: (info: RetryInfo) => void;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);
/** Statuses after which a non-idempotent request may nevertheless have been applied. */
const AMBIGUOUS_STATUS = new Set([502, 504]);
/** Failures that happen before the request could reach MAAS. */
const NOT_SENT_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EADDRNOTAVAIL", "UND_ERR_CONNECT_TIMEOUT"]);
/** Failures after which the request may or may not have been applied. */
const LOST_ANSWER_CODES = new Set([
  "ECONNRESET", "EPIPE", "ECONNABORTED", "ETIMEDOUT", "UND_ERR_SOCKET", "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT", "UND_ERR_CLOSED", "UND_ERR_ABORTED", "UND_ERR_RESPONSE_STATUS_CODE",
]);

type Outcome<T> =
  | { kind: "ok"; value: T }
  | { kind: "fatal"; error: unknown }
  | { kind: "retry"; error: MaasError; retryAfterMs?: number }
  | { kind: "lost"; error: MaasError; retryAfterMs?: number };

export function encodeParams(p: Params | undefined): string {
  const usp = new URLSearchParams();
  if (!p) return "";
  for (const [k, v] of Object.entries(p)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v)) for (const x of v as readonly (string | number)[]) usp.append(k, String(x));
    else usp.append(k, typeof v === "boolean" ? (v ? "true" : "false") : String(v));
  }
  return usp.toString();
}

/** A counting semaphore; FIFO. */
export class Limiter {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  private head = 0;
  constructor(private readonly max: number) {}
  get inFlight(): number {
    return this.active;
  }
  async acquire(): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }
  release(): void {
    if (this.head < this.queue.length) {
      const next = this.queue[this.head]!;
      this.queue[this.head++] = undefined as unknown as () => void;
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      next(); // the slot passes directly to the next waiter
    } else {
      this.active--;
    }
  }
}

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === "object"; i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === "string") return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error && cause.message && cause.message !== e.message ? `${e.message} (${cause.message})` : e.message;
  }
  return String(e);
}

function bodyMessage(res: RawResponse): string {
  const ct = String(res.headers["content-type"] ?? "");
  let t = res.text.trim();
  if (ct.includes("html") || t.startsWith("<")) t = t.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  return t.length > 800 ? `${t.slice(0, 800)}…` : t;
}

/** The status name MAAS mentions in a wrong-state message, if any. */
export function statusFromMessage(msg: string): string | undefined {
  const patterns = [/in the '([^']+)' state/i, /current state \('([^']+)'\)/i, /is in state ([A-Za-z ]+?)\.?$/i, /because the (?:node|machine) is not ([A-Za-z ]+?)\.?$/i];
  for (const re of patterns) {
    const m = re.exec(msg);
    if (m && isStatusName(m[1]!)) return m[1];
  }
  return undefined;
}

/** Map a non-2xx MAAS answer to a typed error (maas-api.md §1.5). */
export function mapHttpError(res: RawResponse, ctx: ErrorContext): MaasError {
  const msg = bodyMessage(res);
  const s = res.status;
  const tail = msg ? `: ${msg}` : "";
  const extra = { httpStatus: s, maasMessage: msg };
  switch (s) {
    case 401:
      return new AuthenticationError(ctx, `MAAS rejected the credentials (401)${tail}`, extra);
    case 403:
      return permissionDenied(ctx, msg, extra);
    case 404:
      return new NotFoundError(ctx, `not found (404)${tail}`, extra);
    case 409: {
      const maasStatus = statusFromMessage(msg);
      return new ConflictError(ctx, `MAAS refused in the current state (409)${tail}`, { ...extra, ...(maasStatus ? { maasStatus } : {}) });
    }
    case 400: {
      let fieldErrors: Record<string, string[]> | undefined;
      if (msg.startsWith("{")) {
        try {
          const j = JSON.parse(res.text) as unknown;
          if (j && typeof j === "object" && !Array.isArray(j)) {
            fieldErrors = {};
            for (const [k, v] of Object.entries(j as Record<string, unknown>)) {
              fieldErrors[k] = Array.isArray(v) ? v.map(String) : [String(v)];
            }
          }
        } catch {
          /* plain text after all */
        }
      }
      if (!fieldErrors) fieldErrors = { __all__: [msg] };
      const all = fieldErrors["__all__"] ?? [];
      if (all.some((m) => /because of the current state/i.test(m))) {
        return new ConflictError(ctx, `MAAS refused in the current state (400): ${all.join(" ")}`, extra);
      }
      const text = Object.entries(fieldErrors)
        .map(([k, v]) => (k === "__all__" ? v.join(" ") : `${k}: ${v.join(" ")}`))
        .join("; ");
      return new ValidationError(ctx, `MAAS rejected the request (400): ${text}`, { ...extra, fieldErrors });
    }
    default:
      return ipExhaustion(ctx, s, msg) ?? new TransportError(ctx, `MAAS answered HTTP ${s}${tail}`, { ...extra, transient: RETRYABLE_STATUS.has(s) });
  }
}

export class ClosedError extends MaasError {}

export class HttpTransport {
  readonly apiRoot: string;
  private readonly agent: Agent;
  private readonly limiter: Limiter;
  private closed = false;
  private readonly closeWaiters = new Set<() => void>();
  /** Requests sent (attempts), for diagnostics. */
  requestsSent = 0;

  constructor(private readonly o: TransportOptions) {
    this.apiRoot = o.apiRoot;
    this.limiter = new Limiter(o.maxConcurrentRequests);
    this.agent = new Agent({
      connections: o.maxConcurrentRequests,
      keepAliveTimeout: 30_000,
      headersTimeout: o.requestTimeoutMs,
      bodyTimeout: o.requestTimeoutMs,
      connect: {
        timeout: Math.min(o.requestTimeoutMs, 30_000),
        rejectUnauthorized: !o.insecure,
        ...(o.caCert ? { ca: o.caCert } : {}),
      },
    });
  }

  get inFlight(): number {
    return this.limiter.inFlight;
  }

  url(path: string, query?: Params): string {
    const qs = encodeParams(query);
    return `${this.apiRoot}${path}${qs ? `?${qs}` : ""}`;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.closeWaiters) w();
    this.closeWaiters.clear();
    await this.agent.close().catch(() => undefined);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private sleep(ms: number): Promise<void> {
    if (this.o.sleep) return this.o.sleep(ms);
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(t);
        this.closeWaiters.delete(done);
        resolve();
      };
      const t = setTimeout(done, ms);
      this.closeWaiters.add(done);
    });
  }

  /** Send one request with retries; see RequestSpec. */
  async execute<T>(spec: RequestSpec<T>): Promise<T> {
    const url = this.url(spec.path, spec.query);
    const ctx: ErrorContext = { ...spec.ctx, endpoint: `${spec.method} ${url.slice(this.apiRoot.length)}` };
    const body = spec.form !== undefined ? encodeParams(spec.form) : undefined;
    const max = this.o.maxRetries;
    for (let attempt = 1; ; attempt++) {
      if (this.closed) throw new ClosedError(ctx, "MAAS client was closed");
      let outcome = await this.attempt(spec, url, body, ctx);
      if (outcome.kind === "lost") {
        if (spec.idempotent) {
          outcome = { kind: "retry", error: outcome.error, ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}) };
        } else if (spec.verify) {
          const v = await spec.verify();
          if (v.applied) return v.value;
          outcome = { kind: "retry", error: outcome.error, ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}) };
        } else {
          throw new TransportError(ctx, `the answer was lost and the operation may have taken effect, so it was not repeated: ${outcome.error.detail}`, {
            transient: false,
            cause: outcome.error,
          });
        }
      }
      if (outcome.kind === "ok") return outcome.value;
      if (outcome.kind === "fatal") throw outcome.error;
      if (max > 0 && attempt > max) throw new RetriesExhaustedError(ctx, attempt, outcome.error);
      let delay = backoffDelay(attempt - 1, { baseMs: this.o.retryBaseMs, capMs: this.o.retryCapMs, ...(this.o.random ? { random: this.o.random } : {}) });
      // Retry-After replaces the computed delay, bounded by the configured cap (retryCapMs).
      if (outcome.retryAfterMs !== undefined) delay = Math.min(outcome.retryAfterMs, this.o.retryCapMs, MAX_RETRY_AFTER_MS);
      this.o.onRetry?.({ ctx, attempt, delayMs: delay, error: outcome.error });
      await this.sleep(delay);
    }
  }

  private async attempt<T>(spec: RequestSpec<T>, url: string, body: string | undefined, ctx: ErrorContext): Promise<Outcome<T>> {
    let res: RawResponse;
    await this.limiter.acquire();
    try {
      if (this.closed) return { kind: "fatal", error: new ClosedError(ctx, "MAAS client was closed") };
      const headers: Record<string, string> = {
        authorization: this.o.signer.authorization(spec.method, url),
        accept: "application/json",
      };
      if (body !== undefined) headers["content-type"] = "application/x-www-form-urlencoded";
      this.requestsSent++;
      const r = await request(url, {
        method: spec.method,
        headers,
        ...(body !== undefined ? { body } : {}),
        dispatcher: this.agent,
        signal: AbortSignal.timeout(this.o.requestTimeoutMs),
      });
      const text = await r.body.text();
      res = { status: r.statusCode, headers: r.headers, text };
    } catch (e) {
      return this.classifyNetworkError(e, ctx);
    } finally {
      this.limiter.release();
    }

    if (res.status >= 200 && res.status < 300) {
      try {
        return { kind: "ok", value: spec.handle(res, ctx) };
      } catch (e) {
        return { kind: "fatal", error: e };
      }
    }
    const error = mapHttpError(res, ctx);
    if (error instanceof IpExhaustedError) return { kind: "fatal", error };
    const retryAfterMs = parseRetryAfter(res.headers["retry-after"]);
    const ra = retryAfterMs !== undefined ? { retryAfterMs } : {};
    if (RETRYABLE_STATUS.has(res.status)) {
      if (AMBIGUOUS_STATUS.has(res.status)) return { kind: "lost", error, ...ra };
      return { kind: "retry", error, ...ra };
    }
    // 409 with Retry-After: MAAS's database serialization conflict; nothing was applied.
    if (res.status === 409 && retryAfterMs !== undefined) return { kind: "retry", error, ...ra };
    return { kind: "fatal", error };
  }

  private classifyNetworkError<T>(e: unknown, ctx: ErrorContext): Outcome<T> {
    const code = errorCode(e);
    const name = e instanceof Error ? e.name : "";
    const text = errorText(e);
    if (name === "TimeoutError" || code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
      return { kind: "lost", error: new TransportError(ctx, `no answer within ${this.o.requestTimeoutMs} ms (${text})`, { transient: true, ...(code ? { code } : {}), cause: e }) };
    }
    if (code && NOT_SENT_CODES.has(code)) {
      return { kind: "retry", error: new TransportError(ctx, `cannot connect to MAAS: ${text}`, { transient: true, code, cause: e }) };
    }
    if (code && LOST_ANSWER_CODES.has(code)) {
      return { kind: "lost", error: new TransportError(ctx, `connection to MAAS failed: ${text}`, { transient: true, code, cause: e }) };
    }
    const hint = code && TLS_CODES.has(code) ? " (the MAAS certificate is not trusted: give its CA with maas:caCert, or set maas:insecure to true to skip verification)" : "";
    return { kind: "fatal", error: new TransportError(ctx, `request to MAAS failed: ${text}${hint}`, { transient: false, ...(code ? { code } : {}), cause: e }) };
  }
}
