/**
 * lastFailureEvent against the simulator's event log (events/?op=query): the reason MAAS recorded for a
 * failed commissioning and a failed deployment, nothing for a healthy machine, and undefined (never a
 * throw) when the events cannot be read. The picking rule is also checked on answers shaped as MAAS's own.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import type * as M from "../../provider/src/maas";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator";
const maas = require(__filename.endsWith(".ts") ? "../../provider/src/maas" : "@maas-automation/provider/dist/maas") as typeof M;

let sim: TestSimulator;
let c: M.MaasClient;
before(async () => {
  sim = await startTestSimulator({ speed: 3000, users: [{ username: "alice" }] });
  c = new maas.MaasClient({ apiUrl: sim.url, apiKey: sim.apiKey, retryBaseMs: 10, retryCapMs: 20, maxRetries: 1, pollIntervalMs: 30 });
});
after(async () => {
  await c.close();
  await sim.close();
});

async function readyMachine(): Promise<M.Machine> {
  const m = await c.findMachine({ hostname: "existing-node" });
  assert.ok(m);
  return m;
}

test("a healthy Ready machine has no failure event", async () => {
  assert.equal(await c.lastFailureEvent((await readyMachine()).system_id), undefined);
});

test("a failed deployment: the reason MAAS recorded with 'Marking node failed'", async () => {
  const m = await readyMachine();
  await sim.setFaults({ machines: { [m.hostname]: { failDeployment: "Installation failed: curtin could not partition sda." } } });
  await c.deploy(m.system_id);
  const failed = await c.watcher.waitFor({ systemId: m.system_id, target: ["Deployed"], failure: ["Failed deployment"], timeoutMs: 20_000, operation: "deploy" }).then(
    () => assert.fail("the deployment should fail"),
    (e: unknown) => e,
  );
  assert.equal(await c.lastFailureEvent(m.system_id), "Marking node failed: Installation failed: curtin could not partition sda.");
  const named = await c.withFailureEvent(failed);
  assert.ok(named instanceof maas.FailureStateError && named.statusName === "Failed deployment");
  assert.match(named.message, new RegExp(`^deploy existing-node \\(${m.system_id}\\): machine reached failure state 'Failed deployment'.*; MAAS's event log: Marking node failed: Installation failed: curtin could not partition sda\\.$`));
  assert.equal((named as Error).cause, failed);
  assert.equal(await c.withFailureEvent("not an error"), "not an error");
  await sim.setFaults({});
  await c.release(m.system_id);
  await c.watcher.waitFor({ systemId: m.system_id, target: ["Ready"], timeoutMs: 20_000, operation: "release" });
});

test("a failed commissioning: the script that did not complete", async () => {
  const m = await readyMachine();
  await sim.setFaults({ machines: { [m.hostname]: { failCommissioning: true } } });
  await c.commission(m.system_id);
  await assert.rejects(c.watcher.waitFor({ systemId: m.system_id, target: ["Ready"], failure: ["Failed commissioning"], timeoutMs: 20_000, operation: "commission" }));
  assert.match((await c.lastFailureEvent(m.system_id)) ?? "", /^Script: 20-maas-03-machine-resources failed/);
  await sim.setFaults({});
});

test("events that cannot be read give undefined: an unknown machine, a 404 from an older region, a 500", async () => {
  assert.equal(await c.lastFailureEvent("nosuch"), undefined);
  await sim.setFaults({ rules: [{ kind: "error", status: 500, method: "GET", route: "events/*" }] });
  assert.equal(await c.lastFailureEvent((await readyMachine()).system_id), undefined);
  await sim.setFaults({});
});

test("the picking rule: the newest event with a reason, at WARNING or above or of a failure type", () => {
  // shaped as MAAS 3.x api/events.py renders them (newest first)
  const e = (id: number, level: string, type: string, description: string) => ({ id, level, type, description, username: "admin", node: "abc123", hostname: "node01", created: "Tue, 02 Dec. 2026 10:00:00" });
  assert.equal(
    maas.failureEventText([e(9, "INFO", "Failed deployment", ""), e(8, "ERROR", "Marking node failed", "Node operation 'Deploying' timed out after 30 minutes."), e(7, "INFO", "Deploying", "")]),
    "Marking node failed: Node operation 'Deploying' timed out after 30 minutes.",
  );
  assert.equal(maas.failureEventText([e(3, "WARNING", "Failed to query node's BMC", "(admin) - Unable to power control the node.")]), "Failed to query node's BMC: (admin) - Unable to power control the node.");
  assert.equal(maas.failureEventText([e(2, "INFO", "Deployed", "all good"), e(1, "DEBUG", "User starting deployment", "")]), undefined);
});
