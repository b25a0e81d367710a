// --state FILE: a simulator child process killed with SIGKILL in the middle of a long phase comes back
// from its state file with the phase where it was; background transitions are written when they happen;
// the version 1 file of release c762a46 still loads.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startSimulatorProcess, startTestSimulator, type SimulatorProcess } from "../helpers/simulator";

const dir = mkdtempSync(join(tmpdir(), "maas-sim-persist-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const running = new Set<SimulatorProcess>();
after(async () => {
  for (const p of running) {
    p.child.kill("SIGKILL");
    await p.exited;
  }
});

interface SavedMachine { systemId: string; hostname: string; status: number; pending: { step: string; due: number } | null; interfaces: Array<{ links: Array<{ ip: string | null }> }> }
interface SavedState { version: number; clock: number; wallClock: number; machines: SavedMachine[] }
const readState = (file: string) => JSON.parse(readFileSync(file, "utf8")) as SavedState;
const savedMachine = (file: string, sid: string) => readState(file).machines.find((m) => m.systemId === sid)!;

async function start(args: string[]): Promise<SimulatorProcess> {
  const p = await startSimulatorProcess([...args, "--quiet"]);
  running.add(p);
  return p;
}

async function kill(p: SimulatorProcess): Promise<void> {
  p.child.kill("SIGKILL");
  const e = await p.exited;
  running.delete(p);
  assert.equal(e.signal, "SIGKILL");
}

async function waitStatus(p: SimulatorProcess, sid: string, status: string, ms = 30000): Promise<Record<string, unknown>> {
  const end = Date.now() + ms;
  let last: Record<string, unknown> = {};
  while (Date.now() < end) {
    last = (await p.api("GET", `machines/${sid}/`)).json() as Record<string, unknown>;
    if (last.status_name === status) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`machine ${sid} is ${String(last.status_name)}, wanted ${status}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("SIGKILL mid-commissioning: restarted from the state file on the same port, the machine finishes commissioning from where it was", async () => {
  const file = join(dir, "commissioning.json");
  const first = await start(["--port", "0", "--speed", "30", "--state", file]);
  const created = await first.api("POST", "machines/", { mac_addresses: "aa:bb:cc:dd:ee:ff", architecture: "amd64/generic", power_type: "ipmi", power_parameters_power_address: "10.0.0.100" });
  assert.equal(created.status, 200, created.body);
  const sid = (created.json() as { system_id: string }).system_id;
  assert.equal((created.json() as { status_name: string }).status_name, "Commissioning");
  const before = savedMachine(file, sid);
  const clockBefore = readState(file).clock;
  assert.equal(before.pending?.step, "commissioned", "the end of commissioning is on disk as data");
  await sleep(800);
  await kill(first);

  const second = await start(["--port", String(first.port), "--speed", "30", "--state", file]);
  assert.equal(second.url, first.url, "same port, same URL");
  assert.equal(second.apiKey, first.apiKey, "the API key came back from the file");
  const after = (await second.api("GET", `machines/${sid}/`)).json() as { status_name: string };
  assert.equal(after.status_name, "Commissioning", "still commissioning after the restart, not New");
  assert.deepEqual(savedMachine(file, sid).pending, before.pending, "the same step, due at the same virtual time");
  assert.ok(readState(file).clock - clockBefore >= 0.8 * 30, "virtual time ran on while the simulator was down");
  const ready = await waitStatus(second, sid, "Ready");
  assert.equal(ready.cpu_count, 8, "commissioning discovered node01's hardware");
  assert.equal((ready.interface_set as unknown[]).length, 3);
  await kill(second);
});

test("SIGKILL mid-deployment and mid-disk-erasing: each phase resumes and ends after the restart", async () => {
  const file = join(dir, "deploy.json");
  const args = ["--speed", "200", "--state", file];
  let sim = await start(["--port", "0", ...args]);
  const port = String(sim.port);
  const ready = ((await sim.api("GET", "machines/", { hostname: "existing-node" })).json() as Array<{ system_id: string }>)[0]!;
  const deploying = await sim.api("POST", `machines/${ready.system_id}/`, { op: "deploy", distro_series: "jammy" });
  assert.equal(deploying.status, 200, deploying.body);
  assert.equal((deploying.json() as { status_name: string }).status_name, "Deploying");
  const ip = savedMachine(file, ready.system_id).interfaces[0]!.links[0]!.ip;
  assert.match(ip ?? "", /^10\.0\.0\.\d+$/, "the AUTO link's address is on disk");
  await sleep(1000);
  await kill(sim);

  sim = await start(["--port", port, ...args]);
  assert.equal(((await sim.api("GET", `machines/${ready.system_id}/`)).json() as { status_name: string }).status_name, "Deploying");
  const deployed = await waitStatus(sim, ready.system_id, "Deployed");
  assert.deepEqual(deployed.ip_addresses, [ip], "the same address after the restart");

  const erasing = await sim.api("POST", `machines/${ready.system_id}/`, { op: "release", erase: "true" });
  assert.equal((erasing.json() as { status_name: string }).status_name, "Disk erasing");
  assert.equal(savedMachine(file, ready.system_id).pending?.step, "erased");
  await kill(sim);
  sim = await start(["--port", port, ...args]);
  const released = await waitStatus(sim, ready.system_id, "Ready");
  assert.equal(released.owner, null);
  assert.deepEqual(released.ip_addresses, []);
  await kill(sim);
});

test("a background transition is written when it happens, with no request to trigger the write", async () => {
  const file = join(dir, "background.json");
  const sim = await start(["--port", "0", "--speed", "400", "--state", file]);
  const created = (await sim.api("POST", "machines/", { mac_addresses: "aa:bb:cc:dd:ef:00", architecture: "amd64/generic", power_type: "ipmi", power_parameters_power_address: "10.0.0.101" })).json() as { system_id: string };
  assert.equal(savedMachine(file, created.system_id).status, 1, "Commissioning on disk");
  // only GETs from here on: they never write the file
  await waitStatus(sim, created.system_id, "Ready");
  const onDisk = savedMachine(file, created.system_id);
  assert.equal(onDisk.status, 4, "Ready reached the file by itself");
  assert.equal(onDisk.pending, null);
  await kill(sim);
});

test("the version 1 state file of release c762a46 still loads: machines, networks and the admin key; it is rewritten as version 2", async () => {
  const fixture = resolve(__dirname, "../../../test/fixtures/compat/c762a46/maas-state.json");
  const v1 = JSON.parse(readFileSync(fixture, "utf8")) as { version: number; apiKey: string; machines: Array<{ hostname: string; systemId: string; status: number }> };
  assert.equal(v1.version, 1);
  const file = join(dir, "v1.json");
  copyFileSync(fixture, file);
  const sim = await startTestSimulator({ state: file });
  try {
    assert.equal(sim.apiKey, v1.apiKey);
    const machines = (await sim.api("GET", "machines/")).json() as Array<{ hostname: string; system_id: string; status: number }>;
    assert.deepEqual(
      machines.map((m) => [m.hostname, m.system_id, m.status]),
      v1.machines.map((m) => [m.hostname, m.systemId, m.status]),
    );
    const subnets = (await sim.api("GET", "subnets/")).json() as Array<{ cidr: string }>;
    assert.deepEqual(subnets.map((s) => s.cidr), ["10.0.0.0/24", "192.168.1.0/24"]);
    const saved = readState(file);
    assert.equal(saved.version, 2);
  } finally {
    await sim.close();
  }
});
