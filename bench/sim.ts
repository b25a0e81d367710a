/**
 * The simulator as a separate process (its CPU is not ours): `node dist/simulator/main.js --machines N
 * --speed S --seed N --port 0 --quiet`, in its own process group, with the admin endpoints.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";

export interface SimStatsRow {
  method: string;
  route: string;
  systemId: string | null;
  status: number;
  count: number;
}
export interface SimStats {
  requests: SimStatsRow[];
  machines: Record<string, { hostname: string; busySeconds: number; requests: number; transitions: Array<{ from: string; to: string; at: string }>; status: number; deleted: boolean }>;
}
export interface SimInventory {
  servers: Array<{ hostname: string; macs: string[]; nics: Array<{ name: string; mac: string; fabric: string }>; disks: Array<{ name: string; size: number }>; bmcAddress: string }>;
  subnets: Array<{ id: number; cidr: string; gateway: string | null; fabric: string }>;
}

export interface SimProcess {
  url: string;
  apiKey: string;
  pid: number;
  speed: number;
  stats(): Promise<SimStats>;
  inventory(): Promise<SimInventory>;
  resetStats(): Promise<void>;
  close(): Promise<void>;
}

export async function startSimProcess(o: { machines: number; speed: number; seed: number; root: string }): Promise<SimProcess> {
  const main = path.join(o.root, "dist", "simulator", "main.js");
  const child: ChildProcess = spawn(process.execPath, [main, "--machines", String(o.machines), "--speed", String(o.speed), "--seed", String(o.seed), "--port", "0", "--quiet"], {
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const vars = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start in 30 s: ${err}`)), 30_000);
    child.on("exit", (code) => reject(new Error(`simulator exited (${code}): ${err}`)));
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const v: Record<string, string> = {};
      for (const line of out.split("\n")) {
        const eq = line.indexOf("=");
        if (eq > 0) v[line.slice(0, eq)] = line.slice(eq + 1).trim();
      }
      if (v.MAAS_API_URL && v.MAAS_API_KEY && v.MAAS_SIM_ADMIN_TOKEN && out.endsWith("\n")) {
        clearTimeout(timer);
        resolve(v);
      }
    });
  });
  child.removeAllListeners("exit");
  const url = vars.MAAS_API_URL!;
  const origin = url.replace(/\/MAAS$/, "");
  const token = vars.MAAS_SIM_ADMIN_TOKEN!;
  const admin = async (method: string, p: string): Promise<unknown> => {
    const res = await fetch(origin + p, { method, headers: { Authorization: `Bearer ${token}` } });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator admin ${method} ${p}: ${res.status} ${text.slice(0, 200)}`);
    return JSON.parse(text);
  };
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  return {
    url,
    apiKey: vars.MAAS_API_KEY!,
    pid: child.pid!,
    speed: o.speed,
    stats: async () => (await admin("GET", "/_sim/stats")) as SimStats,
    inventory: async () => (await admin("GET", "/_sim/inventory")) as SimInventory,
    resetStats: async () => {
      await admin("POST", "/_sim/reset-stats");
    },
    close: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        /* gone */
      }
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          /* gone */
        }
      }, 5000);
      await exited;
      clearTimeout(t);
    },
  };
}

export interface RequestFigures {
  total: number;
  mutating: number;
  reads: number;
  /** Shared list polls (GET machines/ with ids) */
  listPolls: number;
  /** Per-machine polls GET machines/{id}/ */
  machineGets: number;
  byRoute: Record<string, number>;
  /** Largest per-machine `requests` of /_sim/stats (lists count 1/k). */
  maxPerMachine: number;
  meanPerMachine: number;
  /** Slowest machine's busySeconds (virtual). */
  maxBusySeconds: number;
}

/** Request figures of the stats difference `after - before` (before may be empty). */
export function requestFigures(after: SimStats, before?: SimStats): RequestFigures {
  const key = (r: SimStatsRow) => `${r.method} ${r.route}`;
  const byRoute: Record<string, number> = {};
  for (const r of after.requests) byRoute[key(r)] = (byRoute[key(r)] ?? 0) + r.count;
  if (before) for (const r of before.requests) byRoute[key(r)] = (byRoute[key(r)] ?? 0) - r.count;
  for (const k of Object.keys(byRoute)) if (byRoute[k] === 0) delete byRoute[k];
  let total = 0;
  let mutating = 0;
  for (const [k, n] of Object.entries(byRoute)) {
    total += n;
    if (!k.startsWith("GET ")) mutating += n;
  }
  const per: number[] = [];
  const busy: number[] = [];
  for (const [sid, m] of Object.entries(after.machines)) {
    const b = before?.machines[sid];
    per.push(m.requests - (b?.requests ?? 0));
    busy.push(m.busySeconds - (b?.busySeconds ?? 0));
  }
  return {
    total,
    mutating,
    reads: total - mutating,
    listPolls: byRoute["GET machines/"] ?? 0,
    machineGets: byRoute["GET machines/{id}/"] ?? 0,
    byRoute,
    maxPerMachine: Math.round(Math.max(0, ...per) * 100) / 100,
    meanPerMachine: per.length ? Math.round((per.reduce((a, b) => a + b, 0) / per.length) * 100) / 100 : 0,
    maxBusySeconds: Math.max(0, ...busy),
  };
}
