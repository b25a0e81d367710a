/**
 * Samples the processes below this one (every ~200 ms, from /proc): peak resident memory (VmHWM) and
 * CPU seconds (utime + stime) per process, grouped into classes — the Pulumi engine (`pulumi`), the
 * dynamic-provider host (node …/dynamic-provider), a baseline script. Processes that are not ours
 * (the simulator, started as a separate process group and excluded by pid) are not counted.
 * Linux only; on other systems the figures stay 0.
 */
import * as fs from "node:fs";

export type ProcClass = "engine" | "provider" | "baseline" | "other";

interface ProcRecord {
  pid: number;
  cls: ProcClass;
  comm: string;
  hwmKb: number;
  rssKb: number;
  cpuTicks: number;
  seen: number;
}

export interface ClassFigures {
  /** Processes of the class seen while sampling. */
  processes: number;
  /** Largest VmHWM of one process of the class (MB). */
  peakRssMb: number;
  /** Sum of the per-process peaks (MB): the class's footprint when its processes run side by side. */
  sumPeakRssMb: number;
  /** utime + stime summed over the class's processes (s), as last sampled. */
  cpuSeconds: number;
  /** Largest sum of VmRSS of the class's processes running at the same time (MB, 200 ms samples). */
  peakConcurrentRssMb: number;
}

const TICKS = 100; // USER_HZ on Linux

function readProc(pid: number): { ppid: number; comm: string; cpuTicks: number; hwmKb: number; rssKb: number; cmdline: string } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = stat.lastIndexOf(")");
    const comm = stat.slice(stat.indexOf("(") + 1, close);
    const rest = stat.slice(close + 2).split(" ");
    // rest[0] = state (field 3); ppid field 4 → rest[1]; utime field 14 → rest[11]; stime → rest[12]
    const ppid = Number(rest[1]);
    const cpuTicks = Number(rest[11]) + Number(rest[12]);
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const hwm = /VmHWM:\s+(\d+)/.exec(status);
    const rss = /VmRSS:\s+(\d+)/.exec(status);
    let cmdline = "";
    try {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
      /* gone */
    }
    return { ppid, comm, cpuTicks, hwmKb: hwm ? Number(hwm[1]) : 0, rssKb: rss ? Number(rss[1]) : 0, cmdline };
  } catch {
    return undefined;
  }
}

function classify(comm: string, cmdline: string): ProcClass {
  if (comm === "pulumi" || /\/pulumi(\s|$)/.test(cmdline.split(" ")[0] ?? "")) return "engine";
  if (cmdline.includes("dynamic-provider")) return "provider";
  if (cmdline.includes("bench/baseline")) return "baseline";
  return "other";
}

export class ProcessSampler {
  private readonly procs = new Map<number, ProcRecord>();
  private timer: NodeJS.Timeout | undefined;
  private readonly root = process.pid;
  /** Largest sum of VmRSS over the processes of each class (and engine+provider) seen in one sample. */
  private readonly concurrent: Record<string, number> = {};

  constructor(
    private readonly exclude: Set<number> = new Set(),
    private readonly intervalMs = 200,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  stop(): Record<ProcClass, ClassFigures> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return this.figures();
  }

  figures(): Record<ProcClass, ClassFigures> {
    const out = {} as Record<ProcClass, ClassFigures>;
    for (const cls of ["engine", "provider", "baseline", "other"] as ProcClass[]) {
      const ps = [...this.procs.values()].filter((p) => p.cls === cls);
      out[cls] = {
        processes: ps.length,
        peakRssMb: round(Math.max(0, ...ps.map((p) => p.hwmKb)) / 1024, 1),
        sumPeakRssMb: round(ps.reduce((a, p) => a + p.hwmKb, 0) / 1024, 1),
        cpuSeconds: round(ps.reduce((a, p) => a + p.cpuTicks, 0) / TICKS, 2),
        peakConcurrentRssMb: round((this.concurrent[cls] ?? 0) / 1024, 1),
      };
    }
    return out;
  }

  /** Largest sum of VmRSS of engine + provider processes at one sample (MB). */
  enginePlusProviderPeakMb(): number {
    return round((this.concurrent["engine+provider"] ?? 0) / 1024, 1);
  }

  private sample(): void {
    let entries: string[];
    try {
      entries = fs.readdirSync("/proc");
    } catch {
      return;
    }
    const parent = new Map<number, number>();
    const info = new Map<number, NonNullable<ReturnType<typeof readProc>>>();
    for (const e of entries) {
      if (!/^\d+$/.test(e)) continue;
      const pid = Number(e);
      const p = readProc(pid);
      if (!p) continue;
      parent.set(pid, p.ppid);
      info.set(pid, p);
    }
    const isDescendant = (pid: number): boolean => {
      for (let cur = pid, hops = 0; hops < 64; hops++) {
        if (this.exclude.has(cur)) return false;
        const pp = parent.get(cur);
        if (pp === undefined || pp <= 1) return false;
        if (pp === this.root) return true;
        cur = pp;
      }
      return false;
    };
    const now: Record<string, number> = {};
    for (const [pid, p] of info) {
      if (!isDescendant(pid)) continue;
      const rec = this.procs.get(pid);
      const cls = classify(p.comm, p.cmdline);
      if (rec && rec.comm === p.comm) {
        rec.hwmKb = Math.max(rec.hwmKb, p.hwmKb);
        rec.rssKb = p.rssKb;
        rec.cpuTicks = Math.max(rec.cpuTicks, p.cpuTicks);
        rec.cls = rec.cls === "other" ? cls : rec.cls; // `sh` exec'ing node keeps the pid
        rec.seen++;
      } else {
        this.procs.set(pid, { pid, cls, comm: p.comm, hwmKb: p.hwmKb, rssKb: p.rssKb, cpuTicks: p.cpuTicks, seen: 1 });
      }
      const c = this.procs.get(pid)!.cls;
      now[c] = (now[c] ?? 0) + p.rssKb;
      if (c === "engine" || c === "provider") now["engine+provider"] = (now["engine+provider"] ?? 0) + p.rssKb;
    }
    for (const [k, v] of Object.entries(now)) this.concurrent[k] = Math.max(this.concurrent[k] ?? 0, v);
  }
}

/** This process's own CPU seconds (user + system) since `since` (process.cpuUsage). */
export function selfCpuSeconds(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since);
  return round((d.user + d.system) / 1e6, 2);
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
