// Users and rights: an admin and non-admin users, MAAS's 403 answers for what a non-admin may not do
// (maas-api.md §7, from auth/local.py and the api/ handlers), reads that work for everyone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signedRequest, startSimulatorProcess, startTestSimulator, type TestSimulator } from "../helpers/simulator";

let sim: TestSimulator;
const alice = (method: string, path: string, params: Record<string, string | string[]> = {}) => sim.apiAs("alice", method, path, params);
const bob = (method: string, path: string, params: Record<string, string | string[]> = {}) => sim.apiAs("bob", method, path, params);
const admin = (method: string, path: string, params: Record<string, string | string[]> = {}) => sim.api(method, path, params);

let readyId: string;
before(async () => {
  sim = await startTestSimulator({ speed: 3000, machines: 6, users: [{ username: "alice" }, { username: "bob", apiKey: "bobconsumer0000000:bobtoken000000000:bobsecret0000000000000000000000" }] });
  readyId = await readyMachine();
});
after(async () => {
  await sim.close();
});

async function readyMachine(): Promise<string> {
  const r = await admin("POST", "machines/", { mac_addresses: "52:54:00:00:00:01", architecture: "amd64/generic", power_type: "manual" });
  // node-0001 (eth0 52:54:00:00:00:01) commissions into Ready
  const sid = (r.json() as { system_id: string }).system_id;
  for (let i = 0; i < 200; i++) {
    if (((await admin("GET", `machines/${sid}/`)).json() as { status_name: string }).status_name === "Ready") return sid;
    await new Promise((res) => setTimeout(res, 20));
  }
  throw new Error("machine did not become Ready");
}

function assertForbidden(r: { status: number; body: string }, what: string, body = ""): void {
  assert.equal(r.status, 403, `${what}: ${r.status} ${r.body}`);
  assert.equal(r.body, body, `${what}: MAAS's 403 body`);
}

test("whoami answers each user's role; users/ lists every user to anyone; an unknown user is 404", async () => {
  assert.equal(((await alice("GET", "users/", { op: "whoami" })).json() as { is_superuser: boolean; username: string }).is_superuser, false);
  assert.equal(((await admin("GET", "users/", { op: "whoami" })).json() as { is_superuser: boolean }).is_superuser, true);
  const users = (await bob("GET", "users/")).json() as Array<{ username: string; is_superuser: boolean }>;
  assert.deepEqual(users.map((u) => [u.username, u.is_superuser]), [["admin", true], ["alice", false], ["bob", false]]);
  assert.equal((await bob("GET", "users/alice/")).status, 200);
  const missing = await bob("GET", "users/nobody/");
  assert.equal(missing.status, 404);
  assert.equal(missing.body, "No User matches the given query.");
});

test("a non-admin reads machines, subnets, fabrics, VLANs, zones, pools, boot resources and one Ready machine", async () => {
  for (const path of ["machines/", "subnets/", "fabrics/", "vlans/5001/", "zones/", "resourcepools/", "boot-resources/", `machines/${readyId}/`, `nodes/${readyId}/blockdevices/`, `nodes/${readyId}/interfaces/`]) {
    const r = await alice("GET", path);
    assert.equal(r.status, 200, `GET ${path}: ${r.status} ${r.body}`);
  }
});

test("a non-admin may create a machine (MAAS does not refuse it) but it stays New, not commissioned", async () => {
  const r = await alice("POST", "machines/", { mac_addresses: "52:54:00:00:00:02", architecture: "amd64/generic", power_type: "manual" });
  assert.equal(r.status, 200, r.body);
  const m = r.json() as { status_name: string; system_id: string; owner: string | null };
  assert.equal(m.status_name, "New");
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(((await admin("GET", `machines/${m.system_id}/`)).json() as { status_name: string }).status_name, "New", "no commissioning started");
});

test("admin-only machine calls: 403 with an empty body for a non-admin; the @admin_method list call says why", async () => {
  const calls: Array<[string, string, Record<string, string>]> = [
    ["PUT", `machines/${readyId}/`, { description: "mine now" }],
    ["DELETE", `machines/${readyId}/`, {}],
    ["POST", `machines/${readyId}/`, { op: "commission" }],
    ["POST", `machines/${readyId}/`, { op: "test" }],
    ["POST", `machines/${readyId}/`, { op: "set_storage_layout", storage_layout: "lvm" }],
    ["POST", `machines/${readyId}/`, { op: "mark_fixed" }],
    ["GET", `machines/${readyId}/`, { op: "power_parameters" }],
    ["GET", `nodes/${readyId}/`, { op: "power_parameters" }],
    ["GET", `machines/${readyId}/`, { op: "get_token" }],
    ["DELETE", `nodes/${readyId}/`, {}],
  ];
  for (const [method, path, params] of calls) assertForbidden(await alice(method, path, params), `${method} ${path} ${params.op ?? ""}`);
  assertForbidden(await alice("GET", "machines/", { op: "power_parameters" }), "GET machines/?op=power_parameters", "This method is reserved for admin users.");
  const after = (await admin("GET", `machines/${readyId}/`)).json() as { status_name: string; description: string };
  assert.equal(after.status_name, "Ready", "nothing was applied");
  assert.equal(after.description, "");
});

test("storage: structure edits are admin-only (403 empty); format on a Ready machine is 403 with MAAS's text", async () => {
  const disk = ((await alice("GET", `nodes/${readyId}/blockdevices/`)).json() as Array<{ id: number; partitions: Array<{ id: number }> }>)[0]!;
  assertForbidden(await alice("POST", `nodes/${readyId}/blockdevices/${disk.id}/partitions/`, { size: "10G" }), "create partition");
  assertForbidden(await alice("DELETE", `nodes/${readyId}/blockdevices/${disk.id}/partition/${disk.partitions[0]!.id}`), "delete partition");
  assertForbidden(await alice("POST", `nodes/${readyId}/blockdevices/`, { name: "sdb", size: "10G", block_size: "512", model: "m", serial: "s" }), "create block device");
  assertForbidden(await alice("POST", `nodes/${readyId}/blockdevices/${disk.id}/`, { op: "add_tag", tag: "fast" }), "tag block device");
  assertForbidden(await alice("POST", `nodes/${readyId}/volume-groups/`, { name: "vg0", partitions: String(disk.partitions[1]!.id) }), "create volume group");
  assertForbidden(
    await alice("POST", `nodes/${readyId}/blockdevices/${disk.id}/partition/${disk.partitions[1]!.id}`, { op: "unmount" }),
    "unmount a partition of a Ready machine",
    "Cannot unmount partition because you don't have the permissions on a Ready node.",
  );
  assertForbidden(
    await alice("POST", `nodes/${readyId}/blockdevices/${disk.id}/`, { op: "format", fstype: "ext4" }),
    "format a block device of a Ready machine",
    "Cannot format block device because you don't have the permissions on a Ready machine.",
  );
});

test("interfaces: reading works, every change is admin-only, even for the machine's owner", async () => {
  const alloc = await alice("POST", "machines/", { op: "allocate", system_id: readyId });
  assert.equal(alloc.status, 200, alloc.body);
  assert.equal((alloc.json() as { owner: string }).owner, "alice");
  const ifaces = (await alice("GET", `nodes/${readyId}/interfaces/`)).json() as Array<{ id: number; name: string }>;
  const [eth0, eth1] = ifaces;
  assertForbidden(await alice("POST", `nodes/${readyId}/interfaces/`, { op: "create_bond", name: "bond0", parents: [String(eth0!.id), String(eth1!.id)] }), "create_bond");
  assertForbidden(await alice("POST", `nodes/${readyId}/interfaces/`, { op: "create_physical", mac_address: "52:54:00:aa:bb:cc" }), "create_physical");
  assertForbidden(await alice("POST", `nodes/${readyId}/interfaces/${eth1!.id}/`, { op: "link_subnet", mode: "DHCP" }), "link_subnet");
  assertForbidden(await alice("PUT", `nodes/${readyId}/interfaces/${eth1!.id}/`, { name: "lan1" }), "PUT interface");
  assertForbidden(await alice("DELETE", `nodes/${readyId}/interfaces/${eth1!.id}/`), "DELETE interface");
  assert.equal((await alice("GET", `nodes/${readyId}/interfaces/${eth1!.id}/`)).status, 200);
  const byAdmin = await admin("POST", `nodes/${readyId}/interfaces/${eth1!.id}/`, { op: "link_subnet", mode: "DHCP" });
  assert.equal(byAdmin.status, 200, "the admin may, on the allocated machine");
});

test("the owner formats and mounts storage of their Allocated machine; another user gets 403 and cannot see it", async () => {
  const disk = ((await alice("GET", `nodes/${readyId}/blockdevices/`)).json() as Array<{ id: number; partitions: Array<{ id: number; filesystem: { mount_point: string } | null }> }>)[0]!;
  const part = disk.partitions[1]!;
  const path = `nodes/${readyId}/blockdevices/${disk.id}/partition/${part.id}`;
  assert.equal((await alice("POST", path, { op: "unmount" })).status, 200, "the owner unmounts on an Allocated machine");
  assertForbidden(await bob("POST", path, { op: "mount", mount_point: "/" }), "bob mounts on alice's machine");
  assertForbidden(await bob("GET", `machines/${readyId}/`), "bob reads alice's machine");
  assertForbidden(await bob("GET", `nodes/${readyId}/blockdevices/`), "bob lists its block devices");
  const listed = (await bob("GET", "machines/")).json() as Array<{ system_id: string }>;
  assert.ok(!listed.some((m) => m.system_id === readyId), "alice's machine is not in bob's list");
  assert.ok(((await admin("GET", "machines/")).json() as Array<{ system_id: string }>).some((m) => m.system_id === readyId), "the admin sees it");
  assert.equal((await alice("POST", path, { op: "mount", mount_point: "/" })).status, 200);
});

test("deploying, releasing and marking broken another user's machine: 403; the owner deploys and releases", async () => {
  assertForbidden(await bob("POST", `machines/${readyId}/`, { op: "deploy" }), "bob deploys alice's machine");
  assertForbidden(await bob("POST", `machines/${readyId}/`, { op: "release" }), "bob releases alice's machine");
  assertForbidden(await bob("POST", "machines/", { op: "release", machines: readyId }), "bob releases it in a list", `You don't have the required permission to release the following machine(s): ${readyId}.`);
  assertForbidden(await admin("POST", `machines/${readyId}/`, { op: "mark_broken" }), "mark_broken by a user who does not own it (even the admin)");
  const deploy = await alice("POST", `machines/${readyId}/`, { op: "deploy", distro_series: "jammy" });
  assert.equal(deploy.status, 200, deploy.body);
  assert.equal((deploy.json() as { status_name: string }).status_name, "Deploying");
  assertForbidden(await bob("POST", `machines/${readyId}/`, { op: "abort" }), "bob aborts alice's deployment");
  const release = await alice("POST", `machines/${readyId}/`, { op: "release" });
  assert.equal(release.status, 200, release.body);
  assert.equal(((await bob("GET", `machines/${readyId}/`)).json() as { owner: string | null }).owner, null, "released: bob sees it again");
});

test("--user/--admin-user: each user's key printed as MAAS_API_KEY_<NAME>; users and keys survive a restart from --state", async () => {
  const dir = mkdtempSync(join(tmpdir(), "maas-sim-users-"));
  try {
    const state = join(dir, "state.json");
    const key = "carolconsumer00000:caroltoken00000000:carolsecret000000000000000000000";
    const first = await startSimulatorProcess(["--port", "0", "--quiet", "--state", state, "--user", `carol:${key}`, "--admin-user", "ops"]);
    assert.equal(first.printed.MAAS_API_KEY_CAROL, key);
    const opsKey = first.printed.MAAS_API_KEY_OPS!;
    assert.match(opsKey, /^[^:]{18}:[^:]{18}:[^:]{32}$/);
    first.child.kill("SIGKILL");
    await first.exited;
    const second = await startSimulatorProcess(["--port", "0", "--quiet", "--state", state]);
    try {
      assert.equal(second.printed.MAAS_API_KEY_CAROL, key);
      assert.equal(second.printed.MAAS_API_KEY_OPS, opsKey);
      const carol = (await signedRequest(second.url, key, "GET", "users/", { op: "whoami" })).json() as { username: string; is_superuser: boolean };
      assert.deepEqual([carol.username, carol.is_superuser], ["carol", false]);
      const ops = (await signedRequest(second.url, opsKey, "GET", "users/", { op: "whoami" })).json() as { username: string; is_superuser: boolean };
      assert.deepEqual([ops.username, ops.is_superuser], ["ops", true]);
    } finally {
      second.child.kill("SIGTERM");
      await second.exited;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
