/**
 * Typed errors of the MAAS client. Every error names the operation and, when known, the machine
 * (hostname and system_id), and carries MAAS's own message when MAAS sent one.
 */
import type { MaasRight } from "./rights";

export interface ErrorContext {
  /** What the caller was doing, e.g. "deploy", "create partition", "wait for Ready". */
  operation: string;
  systemId?: string;
  hostname?: string;
  /** HTTP method + path relative to the API root, e.g. "POST machines/abc123/?op=deploy". */
  endpoint?: string;
}

export function describeMachine(ctx: { systemId?: string; hostname?: string }): string {
  if (ctx.hostname && ctx.systemId) return `${ctx.hostname} (${ctx.systemId})`;
  if (ctx.systemId) return `machine ${ctx.systemId}`;
  if (ctx.hostname) return ctx.hostname;
  return "";
}

function prefix(ctx: ErrorContext): string {
  const m = describeMachine(ctx);
  return m ? `${ctx.operation} ${m}` : ctx.operation;
}

export class MaasError extends Error {
  readonly operation: string;
  readonly systemId?: string;
  readonly hostname?: string;
  readonly endpoint?: string;
  /** HTTP status MAAS answered with, if any. */
  readonly httpStatus?: number;
  /** MAAS's own message (response body text), if any. */
  readonly maasMessage?: string;
  /** The message without the operation/machine prefix. */
  readonly detail: string;

  constructor(ctx: ErrorContext, detail: string, extra?: { httpStatus?: number; maasMessage?: string; cause?: unknown }) {
    super(`${prefix(ctx)}: ${detail}`, extra?.cause !== undefined ? { cause: extra.cause } : undefined);
    this.name = new.target.name;
    this.operation = ctx.operation;
    if (ctx.systemId !== undefined) this.systemId = ctx.systemId;
    if (ctx.hostname !== undefined) this.hostname = ctx.hostname;
    if (ctx.endpoint !== undefined) this.endpoint = ctx.endpoint;
    if (extra?.httpStatus !== undefined) this.httpStatus = extra.httpStatus;
    if (extra?.maasMessage !== undefined) this.maasMessage = extra.maasMessage;
    this.detail = detail;
  }

  /** A copy of this error (same class, same fields) re-attributed to another operation/machine. */
  withContext(ctx: ErrorContext): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    Object.assign(copy, this);
    const c = copy as unknown as Record<string, unknown>;
    c.operation = ctx.operation;
    c.systemId = ctx.systemId;
    c.hostname = ctx.hostname;
    if (ctx.endpoint !== undefined) c.endpoint = ctx.endpoint;
    Object.defineProperty(copy, "message", { value: `${prefix(ctx)}: ${this.detail}`, enumerable: false, writable: true, configurable: true });
    Object.defineProperty(copy, "stack", { value: `${this.name}: ${copy.message}\n    (re-attributed from) ${this.stack ?? ""}`, enumerable: false, writable: true, configurable: true });
    Object.defineProperty(copy, "cause", { value: this, enumerable: false, writable: true, configurable: true });
    return copy;
  }
}

/** Bad client configuration (malformed API key, bad URL). Never includes the key itself. */
export class ConfigError extends MaasError {
  constructor(detail: string) {
    super({ operation: "configure MAAS client" }, detail);
  }
}

/** 401 (no or invalid credentials) or 403 (not allowed: not owner, locked machine, admin only). */
export class AuthenticationError extends MaasError {}

/**
 * 403 on a call whose required right is known: the message names the operation, the machine and the
 * missing right (MAAS's NodePermission view/edit/admin, or "superuser" for region-wide admin calls).
 */
export class PermissionDeniedError extends AuthenticationError {
  readonly requiredRight?: MaasRight;
  constructor(ctx: ErrorContext, detail: string, extra: { httpStatus?: number; maasMessage?: string; requiredRight?: MaasRight }) {
    super(ctx, detail, extra);
    if (extra.requiredRight !== undefined) this.requiredRight = extra.requiredRight;
  }
}

export class NotFoundError extends MaasError {}

/** The machine is in a state where MAAS refuses the operation (409, or 400 "not available because of the current state"). */
export class ConflictError extends MaasError {
  /** The status MAAS reports for the machine (status_name), when known. */
  readonly maasStatus?: string;
  constructor(ctx: ErrorContext, detail: string, extra: { httpStatus?: number; maasMessage?: string; maasStatus?: string; cause?: unknown }) {
    super(ctx, detail, extra);
    if (extra.maasStatus !== undefined) this.maasStatus = extra.maasStatus;
  }
}

/** 400 with MAAS's form errors (field → messages; "__all__" for non-field errors). */
export class ValidationError extends MaasError {
  readonly fieldErrors: Record<string, string[]>;
  constructor(ctx: ErrorContext, detail: string, extra: { httpStatus?: number; maasMessage?: string; fieldErrors: Record<string, string[]> }) {
    super(ctx, detail, extra);
    this.fieldErrors = extra.fieldErrors;
  }
}

/**
 * MAAS has no free address for an AUTO/STATIC link (StaticIPAddressExhaustion, HTTP 503). Final: the
 * same request fails the same way until someone frees addresses, so it is never retried.
 */
export class IpExhaustedError extends MaasError {
  /** The subnet MAAS named ("No more IPs available in subnet: <cidr>."), when it named one. */
  readonly subnetCidr?: string;
  constructor(ctx: ErrorContext, detail: string, extra: { httpStatus?: number; maasMessage?: string; subnetCidr?: string }) {
    super(ctx, detail, extra);
    if (extra.subnetCidr !== undefined) this.subnetCidr = extra.subnetCidr;
  }
}

/** Transient failures persisted through every allowed retry. `cause` is the last failure. */
export class RetriesExhaustedError extends MaasError {
  readonly attempts: number;
  constructor(ctx: ErrorContext, attempts: number, cause: unknown) {
    const last = cause instanceof MaasError ? cause.detail : cause instanceof Error ? cause.message : String(cause);
    super(ctx, `retries exhausted after ${attempts} attempt${attempts === 1 ? "" : "s"}; last failure: ${last}`, { cause });
    this.attempts = attempts;
  }
}

export class WaitTimeoutError extends MaasError {
  /** Last status_name seen, if any. */
  readonly lastStatus?: string;
  constructor(ctx: ErrorContext, timeoutMs: number, lastStatus?: string) {
    super(ctx, `timed out after ${formatDuration(timeoutMs)}${lastStatus ? `; last status ${lastStatus}` : ""}`);
    if (lastStatus !== undefined) this.lastStatus = lastStatus;
  }
}

/** A wait ended because the machine reached a failure state. */
export class FailureStateError extends MaasError {
  readonly statusName: string;
  readonly statusMessage: string | null;
  /** The machine's most relevant recent event (MaasClient.lastFailureEvent), when one was read. */
  readonly lastEvent?: string;
  constructor(ctx: ErrorContext, statusName: string, statusMessage: string | null, lastEvent?: string) {
    const event = lastEvent && lastEvent !== statusMessage ? `; MAAS's event log: ${lastEvent}` : "";
    super(ctx, `machine reached failure state '${statusName}'${statusMessage ? `: ${statusMessage}` : ""}${event}`, statusMessage ? { maasMessage: statusMessage } : undefined);
    this.statusName = statusName;
    this.statusMessage = statusMessage;
    if (lastEvent !== undefined) this.lastEvent = lastEvent;
  }
}

/** MAAS answered with something that does not fit the expected schema. */
export class ResponseShapeError extends MaasError {
  readonly field: string;
  constructor(ctx: ErrorContext, field: string, problem: string) {
    super(ctx, `unexpected response from ${ctx.endpoint ?? "MAAS"}: field '${field}' ${problem}`);
    this.field = field;
  }
}

/** Network-level failure (connection refused/reset, timeout, TLS) or an unexpected HTTP status. */
export class TransportError extends MaasError {
  readonly code?: string;
  /** Whether retrying may help. */
  readonly transient: boolean;
  constructor(ctx: ErrorContext, detail: string, extra: { code?: string; transient: boolean; httpStatus?: number; maasMessage?: string; cause?: unknown }) {
    super(ctx, detail, extra);
    if (extra.code !== undefined) this.code = extra.code;
    this.transient = extra.transient;
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  const r = s % 60;
  if (m < 60) return r ? `${m}m${String(r).padStart(2, "0")}s` : `${m}m`;
  const h = Math.floor(m / 60);
  return `${h}h${String(m % 60).padStart(2, "0")}m`;
}
