import type { Fabric, Machine, Place, Server, StepName, Subnet, Tag, Vlan } from "./model";
import { BUSY_STATES, DEFAULT_POOL, DEFAULT_ZONE, STATUS_NAME, S } from "./model";
import { hashUnit, intToIp, cidrRange, ipToInt, rng } from "./util";
import type { Inventory } from "./inventory";
import type { FaultEngine } from "./faults";
import { VirtualClock } from "./clock";
import type { NodeEvent } from "./event-log";

export interface User {
  username: string;
  isAdmin: boolean;
}

/** A region user and the API keys (consumer:token:secret) that sign in as them. */
export interface UserRecord extends User {
  apiKeys: string[];
}

/** Per-request context. */
export interface Ctx {
  user: User | null;
  /** set when a --pause-on event fired during this request */
  hold: boolean;
  /** the request's `comment` parameter (user actions record it in their event) */
  comment?: string;
}

export interface SimEvent {
  seq: number;
  event: string;
  systemId: string | null;
  hostname: string | null;
  at: string;
}

export interface StatRow {
  method: string;
  route: string;
  systemId: string | null;
  status: number;
  count: number;
}

export interface PauseRule {
  event: string;
  n: number | null; // null: every occurrence
}

// maas/?op=get_config values a fresh region answers
const DEFAULT_CONFIG: Record<string, unknown> = {
  default_distro_series: "jammy",
  default_osystem: "ubuntu",
  commissioning_distro_series: "jammy",
  default_min_hwe_kernel: "",
  default_storage_layout: "flat",
  enable_disk_erasing_on_release: false,
  disk_erase_with_secure_erase: true,
  disk_erase_with_quick_erase: false,
  node_timeout: 30,
  maas_name: "maas-sim",
  kernel_opts: null,
  completed_intro: true,
};

export class SimState {
  readonly r: () => number;
  machines: Machine[] = [];
  bySystemId = new Map<string, Machine>();
  /** deleted machines, kept for statistics */
  deleted = new Map<string, Machine>();
  fabrics: Fabric[] = [];
  vlans: Vlan[] = [];
  subnets: Subnet[] = [];
  servers: Server[] = [];
  users: UserRecord[] = [];
  zones: Place[] = [{ ...DEFAULT_ZONE }];
  pools: Place[] = [{ ...DEFAULT_POOL }];
  tags: Tag[] = [];
  /** MAAS's event log (events/?op=query), oldest first */
  eventLog: NodeEvent[] = [];
  usedIps = new Map<number, Set<string>>();
  private ids: Record<string, number> = {};
  events: SimEvent[] = [];
  private eventWaiters: Array<() => void> = [];
  stats = new Map<string, StatRow>();
  pauseRules: PauseRule[] = [];
  eventCounts = new Map<string, number>();
  private resumeWaiters: Array<() => void> = [];
  paused = false;
  closed = false;
  faults!: FaultEngine;
  log: (msg: string) => void = () => {};
  /** region settings (maas/?op=get_config|set_config) */
  config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  /** armed timers of the machines' pending steps, by system_id */
  private timers = new Map<string, NodeJS.Timeout>();

  /** called after a background step changed the region (the state file is written there) */
  changed: () => void = () => {};
  readonly clock: VirtualClock;

  constructor(
    speed: number,
    public seed: number,
    /** carries out a pending step whose time has come (lifecycle.runStep) */
    private runStep: (m: Machine, step: StepName) => void,
    /** virtual seconds to start from (a saved state's clock) */
    startAt = 0,
  ) {
    this.r = rng(seed);
    this.clock = new VirtualClock(speed, startAt);
  }

  idCounters(): Record<string, number> {
    return { ...this.ids };
  }
  setIdCounters(ids: Record<string, number>): void {
    this.ids = { ...ids };
  }

  nextId(kind: string): number {
    this.ids[kind] = (this.ids[kind] ?? 0) + 1;
    return this.ids[kind]!;
  }

  newSystemId(): string {
    const chars = "abcdefghjkmnpqrstwxy0123456789";
    for (;;) {
      let s = "";
      for (let i = 0; i < 6; i++) s += chars[Math.floor(this.r() * chars.length)];
      if (!this.bySystemId.has(s)) return s;
    }
  }

  initNetworks(inv: Inventory): void {
    const fabricByName = new Map<string, Fabric>();
    const fabric = (name: string): Fabric => {
      let f = fabricByName.get(name);
      if (!f) {
        f = { id: this.fabrics.length, name, classType: null };
        this.fabrics.push(f);
        fabricByName.set(name, f);
        this.vlans.push({ id: 5001 + this.vlans.length, vid: 0, name: "untagged", fabricId: f.id, mtu: 1500, dhcpOn: true });
      }
      return f;
    };
    fabric("fabric-0");
    for (const sn of inv.subnets) {
      const f = fabric(sn.fabric);
      let v = this.vlans.find((x) => x.fabricId === f.id && x.vid === sn.vid);
      if (!v) {
        v = { id: 5001 + this.vlans.length, vid: sn.vid, name: String(sn.vid), fabricId: f.id, mtu: 1500, dhcpOn: false };
        this.vlans.push(v);
      }
      const id = this.subnets.length + 1;
      this.subnets.push({ id, name: sn.name ?? sn.cidr, cidr: sn.cidr, gateway: sn.gateway, vlanId: v.id, dnsServers: [], managed: true });
    }
    for (const s of inv.servers) for (const n of s.nics) fabric(n.fabric);
  }

  fabricByName(name: string): Fabric | undefined {
    return this.fabrics.find((f) => f.name === name);
  }
  untaggedVlan(fabricId: number): Vlan {
    return this.vlans.find((v) => v.fabricId === fabricId && v.vid === 0)!;
  }
  subnetForVlan(vlanId: number | null): Subnet | undefined {
    return vlanId === null ? undefined : this.subnets.find((s) => s.vlanId === vlanId);
  }

  /** Allocate a free IP in a subnet (skipping network, gateway, the first 9 and broadcast). */
  allocateIp(subnet: Subnet): string | null {
    const used = this.usedIps.get(subnet.id) ?? new Set<string>();
    this.usedIps.set(subnet.id, used);
    const { net, size } = cidrRange(subnet.cidr);
    for (let i = 10; i < size - 1; i++) {
      const ip = intToIp(net + i);
      if (ip !== subnet.gateway && !used.has(ip)) {
        used.add(ip);
        return ip;
      }
    }
    return null;
  }
  claimIp(subnet: Subnet, ip: string): boolean {
    const used = this.usedIps.get(subnet.id) ?? new Set<string>();
    this.usedIps.set(subnet.id, used);
    if (used.has(ip) || ip === subnet.gateway) return false;
    const { net, size } = cidrRange(subnet.cidr);
    const n = ipToInt(ip);
    if (n <= net || n >= net + size - 1) return false;
    used.add(ip);
    return true;
  }
  releaseIp(subnetId: number | null, ip: string | null): void {
    if (subnetId === null || !ip) return;
    this.usedIps.get(subnetId)?.delete(ip);
  }

  // ---- virtual time ----
  jitter(m: Machine, phase: string, base: number): number {
    const k = m.transitions.length;
    return base * (0.85 + 0.3 * hashUnit(this.seed, m.systemId, phase, k));
  }
  /** Records `step` as the machine's pending step, due in `virtualSeconds`, and arms its timer. */
  schedule(m: Machine, virtualSeconds: number, step: StepName): void {
    this.cancel(m);
    m.pending = { step, due: this.clock.now() + virtualSeconds };
    this.arm(m);
  }
  /** Arms the timer of the machine's recorded pending step (also after a restart). */
  arm(m: Machine): void {
    const pending = m.pending;
    if (!pending) return;
    const ms = Math.max(0, this.clock.wallMs(pending.due - this.clock.now()));
    this.timers.set(
      m.systemId,
      setTimeout(() => {
        this.timers.delete(m.systemId);
        if (this.closed || m.pending !== pending) return;
        m.pending = null;
        this.runStep(m, pending.step);
        this.changed();
      }, ms),
    );
  }
  /** Drops the machine's pending step (a new transition replaces it). */
  cancel(m: Machine): void {
    const t = this.timers.get(m.systemId);
    if (t) clearTimeout(t);
    this.timers.delete(m.systemId);
    m.pending = null;
  }
  /** Stops every timer, leaving the pending steps recorded (close). */
  stopTimers(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
  busySeconds(m: Machine): number {
    return m.busySeconds + (m.busySince !== null ? this.clock.now() - m.busySince : 0);
  }
  /** Adds the time spent in the current busy state to busySeconds (before the machine leaves it). */
  settleBusy(m: Machine): void {
    if (m.busySince === null) return;
    m.busySeconds += this.clock.now() - m.busySince;
    m.busySince = null;
  }

  setStatus(m: Machine, to: S, ctx?: Ctx | null): void {
    const from = m.status;
    if (from === to) return;
    const now = Date.now();
    this.settleBusy(m);
    if (BUSY_STATES.has(to)) m.busySince = this.clock.now();
    m.previousStatus = from;
    m.status = to;
    m.transitions.push({ from: STATUS_NAME[from]!, to: STATUS_NAME[to]!, at: new Date(now).toISOString() });
    this.emit("status-changed", m, ctx);
  }

  // ---- events & pause ----
  emit(event: string, m: Machine | null, ctx?: Ctx | null, hostname?: string): void {
    const e: SimEvent = {
      seq: this.events.length + 1,
      event,
      systemId: m?.systemId ?? null,
      hostname: m?.hostname ?? hostname ?? null,
      at: new Date().toISOString(),
    };
    this.events.push(e);
    if (this.events.length > 100000) this.events.splice(0, 50000);
    const n = (this.eventCounts.get(event) ?? 0) + 1;
    this.eventCounts.set(event, n);
    for (const rule of this.pauseRules) {
      if (rule.event === event && (rule.n === null || rule.n === n)) {
        this.paused = true;
        if (ctx) ctx.hold = true;
        this.log(`paused on ${event}#${n}`);
      }
    }
    const w = this.eventWaiters;
    this.eventWaiters = [];
    for (const f of w) f();
  }
  eventsAfter(after: number): SimEvent[] {
    return this.events.filter((e) => e.seq > after);
  }
  waitEvent(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.eventWaiters.push(done);
    });
  }
  wakeAll(): void {
    const w = this.eventWaiters;
    this.eventWaiters = [];
    for (const f of w) f();
    this.resume();
  }
  waitResume(): Promise<void> {
    if (!this.paused) return Promise.resolve();
    return new Promise((resolve) => this.resumeWaiters.push(resolve));
  }
  resume(): number {
    this.paused = false;
    const w = this.resumeWaiters;
    this.resumeWaiters = [];
    for (const f of w) f();
    return w.length;
  }

  // ---- stats ----
  record(method: string, route: string, systemId: string | null, status: number): void {
    const key = `${method} ${route} ${systemId ?? ""} ${status}`;
    const row = this.stats.get(key);
    if (row) row.count++;
    else this.stats.set(key, { method, route, systemId, status, count: 1 });
  }
  resetStats(): void {
    this.stats.clear();
    const now = this.clock.now();
    for (const m of this.machines) {
      m.requests = 0;
      m.busySeconds = 0;
      if (m.busySince !== null) m.busySince = now;
      m.transitions = [];
    }
  }
}
