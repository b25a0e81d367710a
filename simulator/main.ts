#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { startSimulator, type SimulatorOptions, type FaultSpec, type UserSpec } from "./index";

const USAGE = `usage: maas-sim [--host 127.0.0.1] [--port 5240|0] [--speed 60] [--inventory FILE] [--machines N]
                [--seed N] [--api-key consumer:token:secret] [--admin-token T] [--faults FILE]
                [--user NAME[:KEY]]... [--admin-user NAME[:KEY]]...
                [--tls-self-signed | --tls-cert F --tls-key F] [--state FILE] [--pause-on EVENT[:N]]...
                [--log-file FILE] [--quiet] [--exit-with-parent]`;

/** NAME or NAME:consumer:token:secret */
function userArg(v: string, isAdmin: boolean, flag: string): UserSpec {
  const i = v.indexOf(":");
  const username = i < 0 ? v : v.slice(0, i);
  if (!/^[A-Za-z0-9_.@+-]+$/.test(username)) die(`${flag}: bad user name ${JSON.stringify(username)}`);
  if (username === "admin" && !isAdmin) die(`${flag}: admin is the superuser whose key is MAAS_API_KEY`);
  return { username, isAdmin, ...(i < 0 ? {} : { apiKey: v.slice(i + 1) }) };
}

function die(msg: string): never {
  process.stderr.write(`maas-sim: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

export interface CliOptions extends SimulatorOptions {
  /** close when the process that started the simulator is gone (tools/sim.sh sets it for npm) */
  exitWithParent?: boolean;
}

export function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = {};
  const pause: string[] = [];
  const users: UserSpec[] = [];
  let cert: string | undefined;
  let key: string | undefined;
  let selfSigned = false;
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    let v: string | undefined;
    const eq = a.indexOf("=");
    if (a.startsWith("--") && eq > 0) {
      v = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const val = () => {
      if (v !== undefined) return v;
      const n = argv[++i];
      if (n === undefined) die(`${a} needs a value`);
      return n;
    };
    const num = () => {
      const s = val();
      const n = Number(s);
      if (!Number.isFinite(n)) die(`${a}: not a number: ${s}`);
      return n;
    };
    switch (a) {
      case "--host": o.host = val(); break;
      case "--port": o.port = num(); break;
      case "--speed": o.speed = num(); break;
      case "--inventory": o.inventory = val(); break;
      case "--machines": o.machines = num(); break;
      case "--seed": o.seed = num(); break;
      case "--api-key": o.apiKey = val(); break;
      case "--admin-token": o.adminToken = val(); break;
      case "--faults": {
        const f = val();
        try {
          o.faults = JSON.parse(readFileSync(f, "utf8")) as FaultSpec;
        } catch (e) {
          die(`cannot read fault spec ${f}: ${(e as Error).message}`);
        }
        break;
      }
      case "--tls-self-signed": selfSigned = true; break;
      case "--tls-cert": cert = val(); break;
      case "--tls-key": key = val(); break;
      case "--state": o.state = val(); break;
      case "--user": users.push(userArg(val(), false, a)); break;
      case "--admin-user": users.push(userArg(val(), true, a)); break;
      case "--pause-on": pause.push(val()); break;
      case "--log-file": o.logFile = val(); break;
      case "--quiet": o.quiet = true; break;
      case "--exit-with-parent": o.exitWithParent = true; break;
      case "-h":
      case "--help":
        process.stdout.write(USAGE + "\n");
        process.exit(0);
      // eslint-disable-next-line no-fallthrough
      default: die(`unknown argument: ${a}`);
    }
  }
  if (selfSigned && (cert || key)) die("--tls-self-signed excludes --tls-cert/--tls-key");
  if (!!cert !== !!key) die("--tls-cert and --tls-key go together");
  if (selfSigned) o.tls = { selfSigned: true };
  else if (cert && key) o.tls = { cert, key };
  if (pause.length) o.pauseOn = pause;
  if (users.length) o.users = users;
  return o;
}

/** Calls `stop` once this process has a new parent (the one that started it exited). */
function watchParent(stop: () => void): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, 500).unref();
}

async function main(): Promise<void> {
  const { exitWithParent, ...o } = parseArgs(process.argv.slice(2));
  const sim = await startSimulator(o);
  let stopping = false;
  // close() writes the state file last; then the process ends even if a client keeps a socket open
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void sim.close().then(() => process.exit(0));
  };
  // the handlers are in place before the lines that tell a starter it may signal us
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, stop);
  if (exitWithParent) watchParent(stop);
  const lines = [`MAAS_API_URL=${sim.url}`, `MAAS_API_KEY=${sim.apiKey}`];
  for (const u of sim.users) if (u.username !== "admin") lines.push(`MAAS_API_KEY_${u.username.toUpperCase().replace(/[^A-Z0-9]/g, "_")}=${u.apiKey}`);
  lines.push(`MAAS_SIM_ADMIN_TOKEN=${sim.adminToken}`);
  if (sim.caFile) lines.push(`MAAS_CA_FILE=${sim.caFile}`);
  process.stdout.write(lines.join("\n") + "\n");
}

if (require.main === module) {
  main().catch((e: unknown) => {
    process.stderr.write(`maas-sim: ${(e as Error).message}\n`);
    process.exit(1);
  });
}
