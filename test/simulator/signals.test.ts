// Stopping the simulator with the PID its starter got: `npm run sim` (npm's PID) with SIGTERM, SIGINT
// and even SIGKILL, and `node dist/simulator/main.js` with SIGTERM/SIGINT. Each time the port is free
// afterwards and, on the clean stops, the state file is written at close.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { existsSync, mkdtempSync, rmSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startSimulatorProcess, type SimulatorProcess } from "../helpers/simulator";

const dir = mkdtempSync(join(tmpdir(), "maas-sim-signals-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** true when nothing listens on the port any more (we can listen there ourselves) */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

async function waitPortFree(port: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await portFree(port)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

const NPM = ["npm", "run", "--silent", "sim", "--"];

async function started(file: string, command?: string[]): Promise<SimulatorProcess> {
  const p = await startSimulatorProcess(["--port", "0", "--quiet", "--state", file], { ...(command ? { command } : {}), timeoutMs: 180_000 });
  // the start wrote the file; removing it shows whether close writes it again
  assert.ok(existsSync(file));
  unlinkSync(file);
  return p;
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`npm run sim: ${signal} to npm's PID stops the simulator cleanly (state file written, port free)`, { timeout: 240_000 }, async () => {
    const file = join(dir, `npm-${signal}.json`);
    const p = await started(file, NPM);
    assert.equal((await p.api("GET", "users/", { op: "whoami" })).status, 200);
    p.child.kill(signal);
    await p.exited;
    assert.ok(await waitPortFree(p.port, 5000), "nothing holds the port after npm's PID was signalled");
    assert.ok(existsSync(file), "the state file was written at close");
  });
}

test("npm run sim: even SIGKILL to npm's PID ends the simulator (it closes when its parent is gone)", { timeout: 240_000 }, async () => {
  const file = join(dir, "npm-kill.json");
  const p = await started(file, NPM);
  p.child.kill("SIGKILL");
  await p.exited;
  assert.ok(await waitPortFree(p.port, 5000), "the simulator noticed npm was gone and closed");
  assert.ok(existsSync(file), "closing wrote the state file");
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`node dist/simulator/main.js: ${signal} closes it (exit 0, state file written, port free)`, async () => {
    const file = join(dir, `node-${signal}.json`);
    const p = await started(file);
    p.child.kill(signal);
    const e = await p.exited;
    assert.equal(e.code, 0, `exit ${e.code ?? e.signal}`);
    assert.ok(existsSync(file));
    assert.ok(await portFree(p.port));
  });
}
