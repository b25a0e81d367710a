// startSimulator: builds the region's state (from --state, an inventory file, --machines or the default
// fleet), serves it over HTTP or HTTPS, and closes it (state file written last).
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { randomBytes } from "node:crypto";
import { appendFileSync } from "node:fs";
import type { AddressInfo, Socket } from "node:net";
import { SimState, type UserRecord } from "./state";
import { Authenticator, parseApiKey } from "./auth";
import { FaultEngine, parsePauseOn, type FaultSpec } from "./faults";
import { defaultInventory, generatedInventory, loadInventory, type UserSpec } from "./inventory";
import { enlistAtStart } from "./hardware";
import { runStep } from "./lifecycle";
import { makeHandler, trackSockets } from "./server";
import { loadState, restore, resumedClock, saveState, snapshot, type SimSnapshot } from "./persist";
import { tlsMaterial, type TlsMaterial, type TlsOption } from "./tls";

export type { FaultSpec, FaultRule, Outage, MachineFaults } from "./faults";
export type { UserSpec } from "./inventory";

export interface SimulatorOptions {
  host?: string;
  port?: number;
  speed?: number;
  inventory?: string;
  machines?: number;
  seed?: number;
  apiKey?: string;
  adminToken?: string;
  faults?: FaultSpec;
  tls?: TlsOption;
  quiet?: boolean;
  logFile?: string;
  /** events to pause on, e.g. ["deploy-accepted:2"] (same as --pause-on) */
  pauseOn?: string[];
  /** Keep the region's state in this file: loaded at start, written after every change and at close. */
  state?: string;
  /** users besides `admin` (--user / --admin-user); a saved user of the same name takes these settings */
  users?: UserSpec[];
}

export interface RunningUser {
  username: string;
  isAdmin: boolean;
  apiKey: string;
}

export interface RunningSimulator {
  url: string;
  /** the key of the admin user `admin` */
  apiKey: string;
  /** every user with its first key, `admin` first */
  users: RunningUser[];
  adminToken: string;
  caFile?: string;
  close(): Promise<void>;
}

function rand(n: number, alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"): string {
  const b = randomBytes(n);
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[b[i]! % alphabet.length];
  return s;
}

function logger(opts: SimulatorOptions): (line: string) => void {
  return (line) => {
    const l = `${new Date().toISOString()} ${line}`;
    if (opts.logFile) appendFileSync(opts.logFile, l + "\n");
    if (!opts.quiet) process.stderr.write(l + "\n");
  };
}

/** The region at start: the saved state when there is one, else the inventory's. */
function buildState(opts: SimulatorOptions, saved: SimSnapshot | undefined, log: (line: string) => void): SimState {
  const speed = opts.speed ?? 60;
  const seed = opts.seed ?? 1;
  const st: SimState = new SimState(speed, seed, (m, step) => runStep(st, m, step), saved ? resumedClock(saved, speed) : 0);
  st.log = log;
  st.faults = new FaultEngine(opts.faults, seed);
  const cliPause = (opts.pauseOn ?? []).map(parsePauseOn);
  st.pauseRules = opts.faults?.pauseOn ? opts.faults.pauseOn.map(parsePauseOn) : cliPause;
  if (saved) {
    restore(st, saved);
    return st;
  }
  const inv = opts.inventory ? loadInventory(opts.inventory, seed) : opts.machines !== undefined ? generatedInventory(opts.machines, seed) : defaultInventory(seed);
  st.initNetworks(inv);
  st.servers = inv.servers;
  addUsers(st, inv.users ?? []);
  for (const s of inv.servers) if (s.enlisted) enlistAtStart(st, s, "admin");
  return st;
}

function makeServer(tls: TlsMaterial | undefined, handler: ReturnType<typeof makeHandler>): Server {
  const serve = (req: Parameters<typeof handler>[0], res: Parameters<typeof handler>[1]) => void handler(req, res);
  if (tls) return createHttpsServer({ cert: tls.cert, key: tls.key, maxHeaderSize: 1024 * 1024 }, serve) as unknown as Server;
  return createHttpServer({ maxHeaderSize: 1024 * 1024 }, serve);
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

function stopServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    for (const s of sockets) s.destroy();
  });
}

const newApiKey = () => `${rand(18)}:${rand(18)}:${rand(32)}`;

/** The admin user `admin` (its first key is MAAS_API_KEY): the saved one, with --api-key replacing its key. */
function adminUser(st: SimState, apiKey: string | undefined): UserRecord {
  let admin = st.users.find((u) => u.username === "admin");
  if (!admin) {
    admin = { username: "admin", isAdmin: true, apiKeys: [] };
    st.users.unshift(admin);
  }
  if (apiKey) admin.apiKeys = [apiKey, ...admin.apiKeys.filter((k) => k !== apiKey)];
  if (admin.apiKeys.length === 0) admin.apiKeys.push(newApiKey());
  return admin;
}

/** Adds users, or updates the saved ones of the same name (role; the given key goes first). */
function addUsers(st: SimState, specs: UserSpec[]): void {
  for (const spec of specs) {
    if (spec.apiKey) parseApiKey(spec.apiKey);
    let u = st.users.find((x) => x.username === spec.username);
    if (!u) {
      u = { username: spec.username, isAdmin: false, apiKeys: [] };
      st.users.push(u);
    }
    u.isAdmin = spec.isAdmin ?? u.isAdmin;
    if (spec.apiKey) u.apiKeys = [spec.apiKey, ...u.apiKeys.filter((k) => k !== spec.apiKey)];
    if (u.apiKeys.length === 0) u.apiKeys.push(newApiKey());
  }
}

function authenticator(st: SimState): Authenticator {
  return new Authenticator(st.users.flatMap((u) => u.apiKeys.map((k) => ({ ...parseApiKey(k), user: { username: u.username, isAdmin: u.isAdmin } }))));
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = opts.host ?? "127.0.0.1";
  const saved = opts.state ? loadState(opts.state) : undefined;
  const adminToken = opts.adminToken ?? rand(32);
  const log = logger(opts);
  const st = buildState(opts, saved, log);
  const apiKey = adminUser(st, opts.apiKey).apiKeys[0]!;
  addUsers(st, opts.users ?? []);
  const persist = opts.state ? () => saveState(opts.state!, snapshot(st)) : undefined;
  if (persist) st.changed = persist;
  persist?.();
  const auth = authenticator(st);
  const cliPauseOn = (opts.pauseOn ?? []).map(parsePauseOn);
  const handler = makeHandler({ st, adminToken, cliPauseOn, auth, log, ...(persist ? { persist } : {}) });
  const tls = opts.tls ? tlsMaterial(opts.tls, host) : undefined;
  const server = makeServer(tls, handler);
  server.keepAliveTimeout = 65_000;
  const sockets = trackSockets(server);
  await listen(server, opts.port ?? 5240, host);
  const hostPart = host.includes(":") ? `[${host}]` : host;
  const url = `${tls ? "https" : "http"}://${hostPart}:${(server.address() as AddressInfo).port}/MAAS`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    st.closed = true;
    st.stopTimers();
    persist?.();
    st.wakeAll();
    await stopServer(server, sockets);
    tls?.cleanup();
  };
  const users = st.users.map((u) => ({ username: u.username, isAdmin: u.isAdmin, apiKey: u.apiKeys[0]! }));
  return { url, apiKey, users, adminToken, ...(tls ? { caFile: tls.caFile } : {}), close };
}
