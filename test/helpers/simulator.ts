/**
 * Test helper: start the MAAS simulator in-process on a free port and talk to its admin API.
 * Used by every test that needs a MAAS. Shares no code with provider/.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { startSimulator, type RunningSimulator, type SimulatorOptions, type FaultSpec } from "../../simulator/index";

export type { FaultSpec, SimulatorOptions, RunningSimulator };

export interface StatsRequestRow {
  method: string;
  route: string;
  systemId: string | null;
  status: number;
  count: number;
}
export interface StatsMachine {
  hostname: string;
  busySeconds: number;
  requests: number;
  transitions: Array<{ from: string; to: string; at: string }>;
  status: number;
  deleted: boolean;
}
export interface SimStats {
  requests: StatsRequestRow[];
  machines: Record<string, StatsMachine>;
}
export interface InventoryServer {
  hostname: string;
  enlisted: boolean;
  systemId: string | null;
  macs: string[];
  nics: Array<{ name: string; mac: string; fabric: string }>;
  disks: Array<{ name: string; size: number; serial: string }>;
  bmcAddress: string;
  memory: number;
  cpuCount: number;
}
export interface SimInventory {
  servers: InventoryServer[];
  subnets: Array<{ id: number; cidr: string; gateway: string | null; fabric: string }>;
}
export interface SimEvent {
  seq: number;
  event: string;
  systemId: string | null;
  hostname: string | null;
  at: string;
}

export interface TestSimulator extends RunningSimulator {
  /** base URL of the server without /MAAS, e.g. http://127.0.0.1:40123 */
  origin: string;
  stats(): Promise<SimStats>;
  inventory(): Promise<SimInventory>;
  resetStats(): Promise<void>;
  setFaults(spec: FaultSpec): Promise<void>;
  /** POST/PUT/DELETE requests under /MAAS/api/2.0/ since the last reset (dropped and faulted ones included) */
  mutatingRequestCount(): Promise<number>;
  /** requests matching method and route template (e.g. "POST", "machines/{id}/?op=deploy") */
  requestCount(method?: string, route?: string): Promise<number>;
  events(after?: number, timeoutMs?: number): Promise<SimEvent[]>;
  /** long-poll until an event named `event` (optionally for systemId) appears after `after` */
  waitForEvent(event: string, opts?: { after?: number; systemId?: string; timeoutMs?: number }): Promise<SimEvent>;
  resume(): Promise<void>;
  /** the same request signed with the key of another user (--user / users option) */
  apiAs(username: string, method: string, path: string, params?: Record<string, string | string[]>): Promise<{ status: number; body: string; contentType: string; json(): unknown }>;
  /** signed request to the MAAS API (path relative to /MAAS/api/2.0/) — for tests that need raw access */
  api(method: string, path: string, params?: Record<string, string | string[]>): Promise<{ status: number; body: string; contentType: string; json(): unknown }>;
}

export async function startTestSimulator(opts: SimulatorOptions = {}): Promise<TestSimulator> {
  const sim = await startSimulator({ host: "127.0.0.1", port: 0, speed: 1000, quiet: true, seed: 1, ...opts });
  const origin = sim.url.replace(/\/MAAS$/, "");
  const admin = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const res = await fetch(origin + path, {
      method,
      headers: { Authorization: `Bearer ${sim.adminToken}`, ...(body !== undefined ? { "Content-Type": "application/json" } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator admin ${method} ${path}: ${res.status} ${text}`);
    return JSON.parse(text);
  };
  const t: TestSimulator = {
    ...sim,
    close: () => sim.close(),
    origin,
    stats: async () => (await admin("GET", "/_sim/stats")) as SimStats,
    inventory: async () => (await admin("GET", "/_sim/inventory")) as SimInventory,
    resetStats: async () => {
      await admin("POST", "/_sim/reset-stats");
    },
    setFaults: async (spec) => {
      await admin("POST", "/_sim/faults", spec);
    },
    mutatingRequestCount: async () => {
      const s = (await admin("GET", "/_sim/stats")) as SimStats;
      return s.requests.filter((r) => r.method === "POST" || r.method === "PUT" || r.method === "DELETE").reduce((a, r) => a + r.count, 0);
    },
    requestCount: async (method, route) => {
      const s = (await admin("GET", "/_sim/stats")) as SimStats;
      return s.requests.filter((r) => (!method || r.method === method) && (!route || r.route === route)).reduce((a, r) => a + r.count, 0);
    },
    events: async (after = 0, timeoutMs = 0) => ((await admin("GET", `/_sim/events?after=${after}&timeout=${timeoutMs}`)) as { events: SimEvent[] }).events,
    waitForEvent: async (event, o = {}) => {
      const deadline = Date.now() + (o.timeoutMs ?? 20000);
      let after = o.after ?? 0;
      while (Date.now() < deadline) {
        const evs = ((await admin("GET", `/_sim/events?after=${after}&timeout=${Math.max(1, deadline - Date.now())}`)) as { events: SimEvent[] }).events;
        for (const e of evs) {
          if (e.event === event && (!o.systemId || e.systemId === o.systemId)) return e;
          after = Math.max(after, e.seq);
        }
      }
      throw new Error(`timed out waiting for simulator event ${event}`);
    },
    resume: async () => {
      await admin("POST", "/_sim/resume");
    },
    api: (method, apiPath, params = {}) => signedRequest(sim.url, sim.apiKey, method, apiPath, params),
    apiAs: (username, method, apiPath, params = {}) => {
      const u = sim.users.find((x) => x.username === username);
      if (!u) throw new Error(`the simulator has no user ${username}`);
      return signedRequest(sim.url, u.apiKey, method, apiPath, params);
    },
  };
  return t;
}

export async function withSimulator<T>(opts: SimulatorOptions, fn: (sim: TestSimulator) => Promise<T>): Promise<T> {
  const sim = await startTestSimulator(opts);
  try {
    return await fn(sim);
  } finally {
    await sim.close();
  }
}

// ---------------------------------------------------------------- the simulator as a child process

/** A signed request to a MAAS API (path relative to /MAAS/api/2.0/), OAuth PLAINTEXT written by hand. */
export async function signedRequest(
  maasUrl: string,
  apiKey: string,
  method: string,
  apiPath: string,
  params: Record<string, string | string[]> = {},
): Promise<{ status: number; body: string; contentType: string; json(): unknown }> {
  const [ck, tk, ts] = apiKey.split(":");
  const nonce = Math.random().toString(36).slice(2) + Date.now().toString(36);
  const auth = `OAuth oauth_version="1.0", oauth_signature_method="PLAINTEXT", oauth_consumer_key="${ck}", oauth_token="${tk}", oauth_signature="%26${ts}", oauth_nonce="${nonce}", oauth_timestamp="${Math.floor(Date.now() / 1000)}"`;
  const usp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) usp.append(k, x);
  let url = `${maasUrl}/api/2.0/${apiPath}`;
  let body: string | undefined;
  if (method === "GET" || method === "DELETE") {
    const q = usp.toString();
    if (q) url += (url.includes("?") ? "&" : "?") + q;
  } else body = usp.toString();
  const res = await fetch(url, { method, headers: { Authorization: auth, ...(body !== undefined ? { "Content-Type": "application/x-www-form-urlencoded" } : {}) }, body, redirect: "manual" });
  const text = await res.text();
  return { status: res.status, body: text, contentType: res.headers.get("content-type") ?? "", json: () => JSON.parse(text) };
}

export interface SimulatorProcess {
  child: ChildProcess;
  url: string;
  port: number;
  apiKey: string;
  adminToken: string;
  /** every NAME=value line the simulator printed at start (MAAS_API_URL, MAAS_API_KEY, MAAS_API_KEY_<USER>, ...) */
  printed: Record<string, string>;
  /** resolves when the process has exited */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  api(method: string, apiPath: string, params?: Record<string, string | string[]>): ReturnType<typeof signedRequest>;
}

/** `dist/simulator/main.js` of this checkout (the tests run from dist/test/...). */
export const SIMULATOR_MAIN = path.resolve(__dirname, "../../simulator/main.js");

/**
 * Starts `node dist/simulator/main.js ARGS` (or `command` when given, e.g. ["npm", "run", "sim", "--"])
 * and waits for the lines it prints once listening.
 */
export async function startSimulatorProcess(args: string[], o: { command?: string[]; timeoutMs?: number; cwd?: string } = {}): Promise<SimulatorProcess> {
  const [cmd, ...pre] = o.command ?? [process.execPath, SIMULATOR_MAIN];
  const child = spawn(cmd!, [...pre, ...args], { cwd: o.cwd ?? path.resolve(__dirname, "../../.."), stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  let out = "";
  let err = "";
  child.stderr!.on("data", (d) => (err += String(d)));
  const printed = await new Promise<Record<string, string>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulator did not start within ${o.timeoutMs ?? 20000} ms; stdout: ${out} stderr: ${err}`)), o.timeoutMs ?? 20000);
    child.stdout!.on("data", (d) => {
      out += String(d);
      if (/^MAAS_SIM_ADMIN_TOKEN=.*\n/m.test(out)) {
        clearTimeout(timer);
        resolve(Object.fromEntries([...out.matchAll(/^([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!])));
      }
    });
    void exited.then((e) => reject(new Error(`simulator exited (${e.code ?? e.signal}) before it was listening; stderr: ${err}`)));
  });
  const url = printed.MAAS_API_URL!;
  return {
    child,
    url,
    port: Number(new URL(url).port),
    apiKey: printed.MAAS_API_KEY!,
    adminToken: printed.MAAS_SIM_ADMIN_TOKEN!,
    printed,
    exited,
    api: (method, apiPath, params) => signedRequest(url, printed.MAAS_API_KEY!, method, apiPath, params),
  };
}
