/**
 * One watcher for the whole fleet: every concurrent wait is served by one list request per poll
 * interval (`GET machines/?id=a&id=b…`), split only to keep each URL under ~8 KB.
 *
 * Per poll the CPU work is one JSON.parse of the answer and a string comparison per machine; the
 * full zod validation runs only for machines whose status changed (rare), so 1,000 waits stay cheap.
 */
import { ErrorContext, FailureStateError, MaasError, NotFoundError, ResponseShapeError, RetriesExhaustedError, WaitTimeoutError, formatDuration, describeMachine } from "./errors";
import { Machine, MachineSchema, parseResponse } from "./schemas";
import { FAILURE_STATUSES, StatusName } from "./status";
import { ClosedError, HttpTransport, RawResponse } from "./transport";
import { chunkIdsForUrl } from "./chunks";

export interface WaitForOptions {
  systemId: string;
  hostname?: string;
  /** The wait succeeds when the machine reaches one of these. */
  target: StatusName[];
  /** The wait fails at once on these; default: every Failed* state. */
  failure?: StatusName[];
  timeoutMs: number;
  /** Called on the first observation and on each state change. */
  onChange?: (m: Machine, elapsedMs: number) => void;
  /** Names the wait in errors, e.g. "deploy". */
  operation: string;
}

export interface WatcherOptions {
  pollIntervalMs: number;
  /** Longest URL a poll request may have (default 8000 bytes). */
  maxUrlBytes?: number;
  remember?: (m: { system_id: string; hostname: string }) => void;
  hostnameOf?: (systemId: string) => string | undefined;
}

export interface WatcherStats {
  /** Poll rounds run (one per interval while waits exist). */
  polls: number;
  /** List requests sent by polls (retries not counted). */
  listRequests: number;
  /** CPU time (µs) the client spent parsing and dispatching poll answers. */
  cpuMicros: number;
  /** Waits currently pending. */
  pending: number;
}

interface RawMachine {
  system_id: string;
  hostname: string;
  status_name: string;
  status_message?: string | null;
}

interface Wait {
  o: WaitForOptions;
  failure: readonly string[];
  started: number;
  last?: string;
  timer: NodeJS.Timeout;
  resolve: (m: Machine) => void;
  reject: (e: unknown) => void;
}

/** A progress line a person can read: "node01: Commissioning (3m12s of 20m)". */
export function progressLine(m: { hostname: string; status_name: string }, elapsedMs: number, timeoutMs: number): string {
  return `${m.hostname}: ${m.status_name} (${formatDuration(elapsedMs)} of ${formatDuration(timeoutMs)})`;
}

export class MachineWatcher {
  private readonly waits = new Map<string, Set<Wait>>();
  private running = false;
  private closed = false;
  private wake: (() => void) | undefined;
  private readonly maxUrlBytes: number;
  private readonly st = { polls: 0, listRequests: 0, cpuMicros: 0 };

  constructor(
    private readonly transport: HttpTransport,
    private readonly o: WatcherOptions,
  ) {
    this.maxUrlBytes = o.maxUrlBytes ?? 8000;
  }

  stats(): WatcherStats {
    let pending = 0;
    for (const s of this.waits.values()) pending += s.size;
    return { ...this.st, pending };
  }

  /** Wait until the machine reaches a target state; fails on a failure state, timeout, or lost machine. */
  waitFor(w: WaitForOptions): Promise<Machine> {
    if (this.closed) return Promise.reject(new ClosedError(this.ctx(w), "MAAS client was closed"));
    return new Promise<Machine>((resolve, reject) => {
      const wait: Wait = {
        o: w,
        failure: w.failure ?? FAILURE_STATUSES,
        started: Date.now(),
        timer: setTimeout(() => {
          this.remove(wait);
          reject(new WaitTimeoutError(this.ctx(w), w.timeoutMs, wait.last));
        }, w.timeoutMs),
        resolve,
        reject,
      };
      let set = this.waits.get(w.systemId);
      if (!set) this.waits.set(w.systemId, (set = new Set()));
      set.add(wait);
      this.ensureRunning();
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const set of this.waits.values()) {
      for (const w of set) {
        clearTimeout(w.timer);
        w.reject(new ClosedError(this.ctx(w.o), "MAAS client was closed while waiting"));
      }
    }
    this.waits.clear();
    this.wake?.();
  }

  private ctx(w: WaitForOptions, hostname?: string): ErrorContext {
    const h = w.hostname ?? this.o.hostnameOf?.(w.systemId) ?? hostname;
    return h !== undefined ? { operation: w.operation, systemId: w.systemId, hostname: h } : { operation: w.operation, systemId: w.systemId };
  }

  private remove(w: Wait): void {
    clearTimeout(w.timer);
    const set = this.waits.get(w.o.systemId);
    if (!set) return;
    set.delete(w);
    if (set.size === 0) this.waits.delete(w.o.systemId);
  }

  private ensureRunning(): void {
    if (this.running || this.closed) return;
    this.running = true;
    void this.run().finally(() => {
      this.running = false;
      if (this.waits.size && !this.closed) this.ensureRunning();
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    // Let waits registered in the same burst share the first poll.
    await this.sleep(Math.min(this.o.pollIntervalMs, 100));
    while (this.waits.size && !this.closed) {
      const started = Date.now();
      await this.pollOnce();
      if (!this.waits.size || this.closed) break;
      await this.sleep(Math.max(0, this.o.pollIntervalMs - (Date.now() - started)));
    }
  }

  /** Split ids so that each `machines/?id=…` URL stays under maxUrlBytes. */
  chunkIds(ids: string[]): string[][] {
    return chunkIdsForUrl(this.transport.url("machines/"), ids, this.maxUrlBytes);
  }

  private async pollOnce(): Promise<void> {
    this.st.polls++;
    const chunks = this.chunkIds([...this.waits.keys()]);
    await Promise.all(chunks.map((c) => this.pollChunk(c)));
  }

  private async pollChunk(ids: string[]): Promise<void> {
    this.st.listRequests++;
    let list: RawMachine[];
    try {
      list = await this.transport.execute({
        method: "GET",
        path: "machines/",
        query: { id: ids },
        ctx: { operation: `poll ${ids.length} machine${ids.length === 1 ? "" : "s"}` },
        idempotent: true,
        handle: (res, c) => this.timed(() => parseLight(res, c)),
      });
    } catch (e) {
      for (const id of ids) this.failAll(id, (w) => adapt(e, this.ctx(w.o)));
      return;
    }
    this.timed(() => this.dispatch(ids, list));
  }

  private timed<T>(f: () => T): T {
    const t0 = process.cpuUsage();
    try {
      return f();
    } finally {
      const d = process.cpuUsage(t0);
      this.st.cpuMicros += d.user + d.system;
    }
  }

  private dispatch(ids: string[], list: RawMachine[]): void {
    const byId = new Map<string, RawMachine>();
    for (const m of list) byId.set(m.system_id, m);
    for (const id of ids) {
      const set = this.waits.get(id);
      if (!set) continue;
      const raw = byId.get(id);
      if (!raw) {
        this.failAll(id, (w) => new NotFoundError(this.ctx(w.o), "machine is no longer in MAAS (missing from the machine list)"));
        continue;
      }
      this.o.remember?.(raw);
      let full: Machine | undefined;
      for (const w of [...set]) {
        if (w.last === raw.status_name) continue;
        w.last = raw.status_name;
        const ctx = this.ctx(w.o, raw.hostname);
        try {
          full ??= parseResponse(MachineSchema, raw, { ...ctx, endpoint: "GET machines/?id=…" });
        } catch (e) {
          this.remove(w);
          w.reject(e);
          continue;
        }
        if (w.o.onChange) {
          try {
            w.o.onChange(full, Date.now() - w.started);
          } catch {
            /* a progress callback must not break the wait */
          }
        }
        if ((w.o.target as readonly string[]).includes(raw.status_name)) {
          this.remove(w);
          w.resolve(full);
        } else if (w.failure.includes(raw.status_name)) {
          this.remove(w);
          w.reject(new FailureStateError(ctx, raw.status_name, raw.status_message ?? null));
        }
      }
    }
  }

  private failAll(id: string, make: (w: Wait) => unknown): void {
    const set = this.waits.get(id);
    if (!set) return;
    for (const w of [...set]) {
      this.remove(w);
      w.reject(make(w));
    }
  }
}

function adapt(e: unknown, ctx: ErrorContext): unknown {
  if (e instanceof RetriesExhaustedError) return new RetriesExhaustedError(ctx, e.attempts, (e as { cause?: unknown }).cause);
  if (e instanceof MaasError) return e.withContext(ctx);
  return new MaasError(ctx, `polling ${describeMachine(ctx)} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** JSON.parse plus the checks the watcher needs; no per-field schema work. */
function parseLight(res: RawResponse, ctx: ErrorContext): RawMachine[] {
  let data: unknown;
  try {
    data = JSON.parse(res.text);
  } catch {
    throw new ResponseShapeError(ctx, "(body)", "is not JSON");
  }
  if (!Array.isArray(data)) throw new ResponseShapeError(ctx, "(root)", "is not a list of machines");
  for (let i = 0; i < data.length; i++) {
    const m = data[i] as Record<string, unknown> | null;
    if (!m || typeof m !== "object") throw new ResponseShapeError(ctx, `[${i}]`, "is not an object");
    if (typeof m.system_id !== "string") throw new ResponseShapeError(ctx, `[${i}].system_id`, "is not a string");
    if (typeof m.hostname !== "string") throw new ResponseShapeError(ctx, `[${i}].hostname`, "is not a string");
    if (typeof m.status_name !== "string") throw new ResponseShapeError(ctx, `[${i}].status_name`, "is not a string");
  }
  return data as RawMachine[];
}
