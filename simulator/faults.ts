import { hashUnit } from "./util";

/**
 * Fault specification (JSON). See README.md "Faults".
 */
export interface FaultRule {
  kind: "error" | "drop-before-apply" | "drop-after-apply" | "latency";
  /** for kind=error: 500 or 503 (default 503) */
  status?: number;
  /** response body for kind=error */
  body?: string;
  /** match: HTTP method */
  method?: string;
  /** match: route template, e.g. "machines/{id}/?op=deploy"; "*" wildcards allowed */
  route?: string;
  /** match: system_id in the path */
  systemId?: string;
  /** fire with this probability (default 1), decided by hash(seed, method, route, systemId, counter) */
  probability?: number;
  /** fire exactly on these occurrences (1-based) of (method, route, systemId); overrides probability */
  nth?: number[];
  /** stop after the rule fired this many times */
  times?: number;
  /** kind=latency: milliseconds added (wall clock) */
  ms?: number;
}

export interface Outage {
  /** seconds (wall clock) after the spec was installed */
  start: number;
  /** seconds */
  duration: number;
  /** 503 (default) or 500 */
  status?: number;
  /** only routes matching this glob */
  route?: string;
}

/** A failure fault: true, or the reason the failure event gives (what MAAS would log), as text. */
export type FailureFault = boolean | string;

export interface MachineFaults {
  failCommissioning?: FailureFault;
  failTesting?: FailureFault;
  failDeployment?: FailureFault;
  failRelease?: FailureFault;
  /** status name to hang in, e.g. "Deploying" */
  hang?: string;
}

export interface FaultSpec {
  seed?: number;
  rules?: FaultRule[];
  outages?: Outage[];
  /** keyed by hostname or system_id */
  machines?: Record<string, MachineFaults>;
  /** events to pause on: "deploy-accepted" (every time) or "deploy-accepted:2" (2nd occurrence) */
  pauseOn?: string[];
}

export interface FaultDecision {
  latencyMs: number;
  action: null | { kind: "error"; status: number; body: string } | { kind: "drop-before-apply" } | { kind: "drop-after-apply" };
}

function glob(pattern: string, s: string): boolean {
  const re = new RegExp("^" + pattern.replace(/[.+^${}()|[\]\\?]/g, "\\$&").replace(/\*/g, ".*") + "$");
  return re.test(s);
}

export class FaultEngine {
  spec: FaultSpec = {};
  private installedAt = Date.now();
  private counters = new Map<string, number>();
  private fired = new Map<number, number>();

  constructor(
    spec: FaultSpec | undefined,
    private defaultSeed: number,
  ) {
    this.set(spec ?? {});
  }

  set(spec: FaultSpec): void {
    validate(spec);
    this.spec = spec;
    this.installedAt = Date.now();
    this.counters.clear();
    this.fired.clear();
  }

  machine(hostname: string, systemId: string): MachineFaults {
    const m = this.spec.machines ?? {};
    return m[systemId] ?? m[hostname] ?? {};
  }

  decide(method: string, route: string, systemId: string | null): FaultDecision {
    const out: FaultDecision = { latencyMs: 0, action: null };
    const seed = this.spec.seed ?? this.defaultSeed;
    const key = `${method} ${route} ${systemId ?? ""}`;
    const n = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, n);
    const elapsed = (Date.now() - this.installedAt) / 1000;
    for (const o of this.spec.outages ?? []) {
      if (elapsed >= o.start && elapsed < o.start + o.duration && (!o.route || glob(o.route, route))) {
        out.action = { kind: "error", status: o.status ?? 503, body: "Service unavailable (simulated outage)" };
        return out;
      }
    }
    (this.spec.rules ?? []).forEach((r, idx) => {
      if (r.method && r.method.toUpperCase() !== method) return;
      if (r.route && !glob(r.route, route)) return;
      if (r.systemId && r.systemId !== systemId) return;
      if (r.times !== undefined && (this.fired.get(idx) ?? 0) >= r.times) return;
      const fires = r.nth ? r.nth.includes(n) : hashUnit(seed, method, route, systemId, n, idx) < (r.probability ?? 1);
      if (!fires) return;
      if (r.kind === "latency") {
        out.latencyMs += r.ms ?? 0;
        this.fired.set(idx, (this.fired.get(idx) ?? 0) + 1);
        return;
      }
      if (out.action) return;
      this.fired.set(idx, (this.fired.get(idx) ?? 0) + 1);
      if (r.kind === "error") {
        const status = r.status ?? 503;
        out.action = { kind: "error", status, body: r.body ?? (status === 503 ? "Service unavailable (simulated fault)" : "Internal server error (simulated fault)") };
      } else out.action = { kind: r.kind };
    });
    return out;
  }
}

export function validate(spec: FaultSpec): void {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) throw new Error("fault spec must be a JSON object");
  for (const r of spec.rules ?? []) {
    if (!["error", "drop-before-apply", "drop-after-apply", "latency"].includes(r.kind)) throw new Error(`unknown fault kind: ${String(r.kind)}`);
    if (r.probability !== undefined && (typeof r.probability !== "number" || r.probability < 0 || r.probability > 1)) throw new Error("probability must be in [0,1]");
  }
  for (const o of spec.outages ?? []) if (typeof o.start !== "number" || typeof o.duration !== "number") throw new Error("outage needs numeric start and duration");
  for (const p of spec.pauseOn ?? []) if (typeof p !== "string") throw new Error("pauseOn entries are strings");
}

export function parsePauseOn(s: string): { event: string; n: number | null } {
  const m = /^([a-z0-9-]+)(?::(\d+))?$/.exec(s.trim());
  if (!m) throw new Error(`bad pause-on spec: ${s}`);
  return { event: m[1]!, n: m[2] ? Number(m[2]) : null };
}
