/**
 * A key with too few rights, against the simulator's non-admin user over HTTP: each 403 becomes a
 * PermissionDeniedError naming the operation, the machine and the missing right (MAAS's node permission
 * view/edit/admin, or administrator rights); the reads a preview makes work with that key and send no write.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import type * as M from "../../provider/src/maas";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator";
const maas = require(__filename.endsWith(".ts") ? "../../provider/src/maas" : "@maas-automation/provider/dist/maas") as typeof M;

let sim: TestSimulator;
let admin: M.MaasClient;
let alice: M.MaasClient;
let ready: M.Machine;

const clientWith = (apiKey: string) => new maas.MaasClient({ apiUrl: sim.url, apiKey, retryBaseMs: 10, retryCapMs: 50, pollIntervalMs: 50 });

before(async () => {
  sim = await startTestSimulator({ speed: 3000, users: [{ username: "alice" }] });
  admin = clientWith(sim.apiKey);
  alice = clientWith(sim.users.find((u) => u.username === "alice")!.apiKey);
  const m = await alice.findMachine({ hostname: "existing-node" });
  assert.ok(m && m.status_name === "Ready" && !m.owner, "an unowned Ready machine alice can see");
  ready = m;
});
after(async () => {
  await Promise.all([admin.close(), alice.close()]);
  await sim.close();
});

function denied(operation: string, machine: string, right: M.MaasRight) {
  return (e: unknown) => {
    assert.ok(e instanceof maas.PermissionDeniedError, String(e));
    assert.ok(e instanceof maas.AuthenticationError, "still an AuthenticationError for existing callers");
    assert.equal(e.httpStatus, 403);
    assert.equal(e.requiredRight, right);
    assert.ok(e.message.startsWith(`${operation} ${machine}: MAAS denied permission (403): this needs `), e.message);
    assert.match(e.message, right === "superuser" ? /MAAS administrator rights/ : new RegExp(`the '${right}' permission on the machine`));
    return true;
  };
}

test("the reads a preview makes work with a non-admin key and send no write", async () => {
  await sim.resetStats();
  const list = await alice.listMachines();
  assert.ok(list.some((m) => m.system_id === ready.system_id));
  await alice.getMachine(ready.system_id);
  assert.ok((await alice.listBlockDevices(ready.system_id)).length > 0);
  assert.ok((await alice.listInterfaces(ready.system_id)).length > 0);
  assert.ok((await alice.listSubnets()).length > 0);
  assert.equal(await sim.mutatingRequestCount(), 0, "no POST, PUT or DELETE reached MAAS");
  assert.equal((await sim.stats()).requests.filter((r) => r.status !== 200).length, 0, "every read answered 200");
});

test("storage layout and partitions on a Ready machine need 'admin': named with the operation and the machine", async () => {
  const who = `existing-node (${ready.system_id})`;
  await assert.rejects(alice.setStorageLayout(ready.system_id, "flat"), denied("set storage layout flat", who, "admin"));
  const [disk] = await alice.listBlockDevices(ready.system_id);
  await assert.rejects(alice.createPartition(ready.system_id, disk!.id, { size: 1e9 }), denied(`create partition on block device ${disk!.id}`, who, "admin"));
});

test("an interface change needs 'admin' even on a machine the user may edit", async () => {
  const [nic] = await alice.listInterfaces(ready.system_id);
  await assert.rejects(alice.updateInterface(ready.system_id, nic!.id, { mtu: 9000 }), denied(`update interface ${nic!.id}`, `existing-node (${ready.system_id})`, "admin"));
});

test("deploying a machine someone else holds needs 'edit'; reading power parameters needs administrator rights", async () => {
  // (last: it takes the one Ready machine away from alice)
  const other = ready;
  await admin.deploy(other.system_id); // now admin's: alice may no longer see or edit it
  await assert.rejects(alice.deploy(other.system_id), denied("deploy", `${other.hostname} (${other.system_id})`, "edit"));
  await assert.rejects(alice.powerParameters(), (e: unknown) => {
    assert.ok(e instanceof maas.PermissionDeniedError);
    assert.equal(e.requiredRight, "superuser");
    assert.equal(e.message, "read power parameters: MAAS denied permission (403): this needs MAAS administrator rights (held by MAAS administrators only), which the API key's user does not have; MAAS said: This method is reserved for admin users.");
    return true;
  });
});

test("the rights table: MAAS's NodePermission per call (auth/local.py, api/*.py)", () => {
  const cases: Array<[string, M.MaasRight | undefined]> = [
    ["GET machines/abc/", "view"],
    ["PUT machines/abc/", "admin"],
    ["DELETE machines/abc/", "admin"],
    ["POST machines/abc/?op=deploy", "edit"],
    ["POST machines/abc/?op=release", "edit"],
    ["POST machines/abc/?op=commission", "admin"],
    ["POST machines/abc/?op=set_storage_layout", "admin"],
    ["GET machines/abc/?op=query_power_state", "view"],
    ["POST nodes/abc/blockdevices/3/?op=mount", "edit"],
    ["POST nodes/abc/blockdevices/3/?op=set_boot_disk", "admin"],
    ["POST nodes/abc/blockdevices/3/partitions/", "admin"],
    ["GET nodes/abc/interfaces/", "view"],
    ["POST nodes/abc/interfaces/?op=create_bond", "admin"],
    ["GET machines/?op=power_parameters", "superuser"],
    ["POST tags/", "superuser"],
    ["GET machines/", undefined],
  ];
  for (const [endpoint, right] of cases) assert.equal(maas.requiredRight(endpoint), right, endpoint);
});
