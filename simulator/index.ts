import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { SimState } from "./state";
import { Authenticator, parseApiKey } from "./auth";
import { FaultEngine, parsePauseOn, type FaultSpec } from "./faults";
import { defaultInventory, generatedInventory, loadInventory } from "./inventory";
import { enlistAtStart } from "./machines";
import { makeHandler, trackSockets } from "./server";
import { loadState, restore, saveState, snapshot } from "./persist";

export type { FaultSpec, FaultRule, Outage, MachineFaults } from "./faults";

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
  tls?: { selfSigned: true } | { cert: string; key: string };
  quiet?: boolean;
  logFile?: string;
  /** events to pause on, e.g. ["deploy-accepted:2"] (same as --pause-on) */
  pauseOn?: string[];
  /** Keep the region's state in this file: loaded at start, written after every change and at close. */
  state?: string;
}

export interface RunningSimulator {
  url: string;
  apiKey: string;
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

function selfSigned(host: string): { cert: string; key: string; dir: string; certFile: string } {
  const dir = mkdtempSync(join(tmpdir(), "maas-sim-tls-"));
  const keyFile = join(dir, "key.pem");
  const certFile = join(dir, "ca.pem");
  const san = [`DNS:localhost`, `IP:127.0.0.1`, /^\d+\.\d+\.\d+\.\d+$/.test(host) ? `IP:${host}` : `DNS:${host}`];
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", keyFile, "-out", certFile, "-days", "30", "-subj", "/CN=maas-sim", "-addext", `subjectAltName=${[...new Set(san)].join(",")}`],
    { stdio: "ignore" },
  );
  return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8"), dir, certFile };
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<RunningSimulator> {
  const host = opts.host ?? "127.0.0.1";
  const port = opts.port ?? 5240;
  const speed = opts.speed ?? 60;
  if (!(speed > 0)) throw new Error("speed must be > 0");
  const seed = opts.seed ?? 1;
  const saved = opts.state ? loadState(opts.state) : undefined;
  const apiKey = opts.apiKey ?? saved?.apiKey ?? `${rand(18)}:${rand(18)}:${rand(32)}`;
  const adminToken = opts.adminToken ?? rand(32);
  const creds = parseApiKey(apiKey);

  const st = new SimState(speed, seed);
  const logLine = (line: string) => {
    const l = `${new Date().toISOString()} ${line}`;
    if (opts.logFile) appendFileSync(opts.logFile, l + "\n");
    if (!opts.quiet) process.stderr.write(l + "\n");
  };
  st.log = logLine;
  st.faults = new FaultEngine(opts.faults, seed);
  const cliPause = (opts.pauseOn ?? []).map(parsePauseOn);
  st.pauseRules = opts.faults?.pauseOn ? opts.faults.pauseOn.map(parsePauseOn) : cliPause;

  if (saved) restore(st, saved);
  else {
    const inv = opts.inventory ? loadInventory(opts.inventory, seed) : opts.machines !== undefined ? generatedInventory(opts.machines, seed) : defaultInventory(seed);
    st.initNetworks(inv);
    st.servers = inv.servers;
    for (const s of inv.servers) if (s.enlisted) enlistAtStart(st, s, "admin");
  }
  const persist = opts.state ? () => saveState(opts.state!, snapshot(st, apiKey)) : undefined;
  persist?.();

  const auth = new Authenticator([{ ...creds, user: { username: "admin", isAdmin: true } }]);
  const handler = makeHandler({ st, adminToken, cliPauseOn: cliPause, auth, log: logLine, ...(persist ? { persist } : {}) });

  let tlsDir: string | undefined;
  let caFile: string | undefined;
  let server: Server;
  if (opts.tls) {
    let cert: string;
    let key: string;
    if ("selfSigned" in opts.tls) {
      const ss = selfSigned(host);
      cert = ss.cert;
      key = ss.key;
      tlsDir = ss.dir;
      caFile = ss.certFile;
    } else {
      cert = readFileSync(opts.tls.cert, "utf8");
      key = readFileSync(opts.tls.key, "utf8");
      caFile = opts.tls.cert;
    }
    server = createHttpsServer({ cert, key, maxHeaderSize: 1024 * 1024 }, (req, res) => void handler(req, res)) as unknown as Server;
  } else {
    server = createHttpServer({ maxHeaderSize: 1024 * 1024 }, (req, res) => void handler(req, res));
  }
  server.keepAliveTimeout = 65_000;
  const sockets = trackSockets(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const hostPart = host.includes(":") ? `[${host}]` : host;
  const url = `${opts.tls ? "https" : "http"}://${hostPart}:${addr.port}/MAAS`;
  let closed = false;
  return {
    url,
    apiKey,
    adminToken,
    caFile,
    async close() {
      if (closed) return;
      closed = true;
      st.closed = true;
      for (const m of st.machines) st.cancel(m);
      persist?.();
      st.wakeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      if (tlsDir) rmSync(tlsDir, { recursive: true, force: true });
    },
  };
}
