/**
 * Zones, resource pools and tags through the client against the simulator over HTTP: list zones and
 * pools, move a machine, create a tag, tag and untag machines, list by zone/pool/tag; the rights and
 * the unknown names come back as typed errors naming what was asked.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import type * as M from "../../provider/src/maas";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator";
const maas = require(__filename.endsWith(".ts") ? "../../provider/src/maas" : "@maas-automation/provider/dist/maas") as typeof M;

let sim: TestSimulator;
let admin: M.MaasClient;
let alice: M.MaasClient;
let node: M.Machine;
const clientWith = (apiKey: string) => new maas.MaasClient({ apiUrl: sim.url, apiKey, retryBaseMs: 10, retryCapMs: 20, pollIntervalMs: 50 });

before(async () => {
  sim = await startTestSimulator({ speed: 3000, users: [{ username: "alice" }] });
  admin = clientWith(sim.apiKey);
  alice = clientWith(sim.users.find((u) => u.username === "alice")!.apiKey);
  const m = await admin.findMachine({ hostname: "existing-node" });
  assert.ok(m);
  node = m;
  assert.equal((await sim.api("POST", "zones/", { name: "rack-a" })).status, 200);
  assert.equal((await sim.api("POST", "resourcepools/", { name: "team-a" })).status, 200);
});
after(async () => {
  await Promise.all([admin.close(), alice.close()]);
  await sim.close();
});

test("listZones and listResourcePools: MAAS's defaults and the ones the site made", async () => {
  assert.deepEqual((await alice.listZones()).map((z) => [z.id, z.name]), [[1, "default"], [2, "rack-a"]]);
  assert.deepEqual((await alice.listResourcePools()).map((p) => [p.id, p.name]), [[0, "default"], [1, "team-a"]]);
});

test("setMachinePlacement moves the machine; the machine reads back its zone and pool; listMachines filters by them", async () => {
  const m = await admin.setMachinePlacement(node.system_id, { zone: "rack-a", pool: "team-a" });
  assert.deepEqual([m.zone?.name, m.pool?.name], ["rack-a", "team-a"]);
  assert.deepEqual((await admin.listMachines({ zone: ["rack-a"], pool: ["team-a"] })).map((x) => x.system_id), [node.system_id]);
  assert.deepEqual(await admin.listMachines({ zone: ["default"] }), []);
});

test("an unknown zone is MAAS's form error, named with the operation and the machine", async () => {
  await assert.rejects(admin.setMachinePlacement(node.system_id, { zone: "nowhere" }), (e: unknown) => {
    assert.ok(e instanceof maas.ValidationError);
    assert.deepEqual(e.fieldErrors.zone, ["Select a valid choice. That choice is not one of the available choices."]);
    assert.match(e.message, new RegExp(`^move machine to zone nowhere existing-node \\(${node.system_id}\\)`));
    return true;
  });
});

test("createTag, updateTagMachines add and remove, machinesWithTag, listMachines by tag", async () => {
  const t = await admin.createTag({ name: "ssd", comment: "solid state" });
  assert.equal(t.name, "ssd");
  assert.deepEqual((await admin.listTags()).map((x) => x.name), ["ssd"]);
  assert.equal((await admin.getTag("ssd"))?.comment, "solid state");
  assert.equal(await admin.getTag("nosuch"), undefined);
  assert.deepEqual(await admin.updateTagMachines("ssd", { add: [node.system_id] }), { added: 1, removed: 0 });
  assert.deepEqual(await admin.updateTagMachines("ssd", { add: [node.system_id] }), { added: 1, removed: 0 }, "adding twice is harmless");
  assert.deepEqual((await admin.getMachine(node.system_id)).tag_names, ["ssd"]);
  assert.deepEqual((await alice.machinesWithTag("ssd")).map((m) => m.hostname), ["existing-node"]);
  assert.deepEqual((await admin.listMachines({ tags: ["ssd"] })).length, 1);
  assert.deepEqual(await admin.updateTagMachines("ssd", { remove: [node.system_id] }), { added: 0, removed: 1 });
  assert.deepEqual((await admin.getMachine(node.system_id)).tag_names, []);
});

test("a non-admin key: creating a tag, tagging and moving a machine are PermissionDeniedErrors naming the right", async () => {
  await assert.rejects(alice.createTag({ name: "mine" }), (e: unknown) => e instanceof maas.PermissionDeniedError && e.requiredRight === "superuser" && e.message.startsWith("create tag mine: MAAS denied permission (403)"));
  await assert.rejects(alice.updateTagMachines("ssd", { add: [node.system_id] }), (e: unknown) => e instanceof maas.PermissionDeniedError && e.requiredRight === "superuser");
  await assert.rejects(alice.setMachinePlacement(node.system_id, { pool: "default" }), (e: unknown) => e instanceof maas.PermissionDeniedError && e.requiredRight === "admin");
  await assert.rejects(admin.updateTagMachines("nosuch", { add: [node.system_id] }), (e: unknown) => e instanceof maas.NotFoundError);
});
