// Zones, resource pools and tags as MAAS has them (maas-api.md §10, from api/zones.py, resourcepools.py,
// tags.py, node_constraint_filter_forms.py): CRUD with MAAS's errors and rights, a machine's zone, pool
// and tag_names, the list filters, the allocate constraints, and all of it kept in the --state file.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator";

let sim: TestSimulator;
let dir: string;
let state: string;
let inventory: string;
const ids: Record<string, string> = {};
const servers = ["n1", "n2", "n3", "n4"].map((hostname, i) => ({ hostname, enlisted: true, status: "Ready", nics: [{ name: "eth0", mac: `52:54:00:0a:00:0${i + 1}`, fabric: "fabric-0" }] }));

type Res = Awaited<ReturnType<TestSimulator["api"]>>;
const api = (method: string, path: string, params: Record<string, string | string[]> = {}) => sim.api(method, path, params);
const alice = (method: string, path: string, params: Record<string, string | string[]> = {}) => sim.apiAs("alice", method, path, params);
const ok = (r: Res, what: string) => assert.equal(r.status, r.status >= 200 && r.status < 300 ? r.status : 200, `${what}: ${r.status} ${r.body}`);
const names = (r: Res) => (r.json() as Array<{ name: string }>).map((x) => x.name);
const hosts = (r: Res) => (r.json() as Array<{ hostname: string }>).map((m) => m.hostname).sort();
const machine = async (h: string) => (await api("GET", `machines/${ids[h]}/`)).json() as { zone: { name: string; id: number }; pool: { name: string; id: number }; tag_names: string[] };

async function start(): Promise<void> {
  sim = await startTestSimulator({ speed: 3000, inventory, state, users: [{ username: "alice" }] });
  for (const m of (await api("GET", "machines/")).json() as Array<{ hostname: string; system_id: string }>) ids[m.hostname] = m.system_id;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "maas-sim-places-"));
  inventory = join(dir, "inventory.json");
  state = join(dir, "state.json");
  writeFileSync(inventory, JSON.stringify({ servers }));
  await start();
});
after(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

test("a fresh region: zone default (id 1), pool default (id 0), no tags; every machine in both", async () => {
  assert.deepEqual((await api("GET", "zones/")).json(), [{ id: 1, name: "default", description: "", resource_uri: "/MAAS/api/2.0/zones/default/" }]);
  assert.deepEqual((await api("GET", "resourcepools/")).json(), [{ id: 0, name: "default", description: "Default pool", resource_uri: "/MAAS/api/2.0/resourcepool/0/" }]);
  assert.deepEqual((await api("GET", "tags/")).json(), []);
  const m = await machine("n1");
  assert.equal(m.zone.name, "default");
  assert.equal(m.pool.id, 0);
  assert.deepEqual(m.tag_names, []);
});

test("zones: create, read, rename, MAAS's form errors; writes are admin-only with the @admin_method text", async () => {
  const z = await api("POST", "zones/", { name: "rack-a", description: "first rack" });
  assert.equal(z.status, 200, z.body);
  assert.deepEqual(z.json(), { id: 2, name: "rack-a", description: "first rack", resource_uri: "/MAAS/api/2.0/zones/rack-a/" });
  ok(await api("POST", "zones/", { name: "rack-b" }), "second zone");
  const dup = await api("POST", "zones/", { name: "rack-a" });
  assert.deepEqual([dup.status, dup.json()], [400, { name: ["Physical zone with this Name already exists."] }]);
  assert.deepEqual((await api("POST", "zones/", { name: "-bad" })).json(), { name: ["Enter a valid value."] });
  assert.deepEqual((await api("POST", "zones/", {})).json(), { name: ["This field is required."] });
  const denied = await alice("POST", "zones/", { name: "mine" });
  assert.deepEqual([denied.status, denied.body], [403, "This method is reserved for admin users."]);
  assert.equal((await alice("GET", "zones/rack-a/")).status, 200, "anyone reads zones");
  const missing = await api("GET", "zones/nowhere/");
  assert.deepEqual([missing.status, missing.body], [404, "No Zone matches the given query."]);
  const renamed = await api("PUT", "zones/rack-b/", { name: "rack-c" });
  assert.equal((renamed.json() as { name: string }).name, "rack-c");
  assert.deepEqual(names(await api("GET", "zones/")), ["default", "rack-a", "rack-c"]);
});

test("resource pools: create, read by id or name, superuser-only writes refused with an empty 403", async () => {
  const p = await api("POST", "resourcepools/", { name: "team-a", description: "Team A" });
  assert.deepEqual(p.json(), { id: 1, name: "team-a", description: "Team A", resource_uri: "/MAAS/api/2.0/resourcepool/1/" });
  ok(await api("POST", "resourcepools/", { name: "team-b" }), "second pool");
  assert.deepEqual((await api("POST", "resourcepools/", { name: "team-a" })).json(), { name: ["Resource pool with this Name already exists."] });
  assert.equal(((await api("GET", "resourcepool/1/")).json() as { name: string }).name, "team-a");
  assert.equal(((await api("GET", "resourcepool/team-b/")).json() as { id: number }).id, 2);
  assert.deepEqual([(await api("GET", "resourcepool/9/")).status, (await api("GET", "resourcepool/9/")).body], [404, "No ResourcePool matches the given query."]);
  const denied = await alice("POST", "resourcepools/", { name: "mine" });
  assert.deepEqual([denied.status, denied.body], [403, ""]);
  assert.deepEqual([(await alice("DELETE", "resourcepool/2/")).status], [403]);
});

test("a machine moves to a zone and a pool with PUT machines/{id}/; an unknown name is Django's choice error", async () => {
  for (const [h, zone, pool] of [["n1", "rack-a", "team-a"], ["n2", "rack-a", "team-b"], ["n3", "rack-c", "team-a"]] as const) {
    const r = await api("PUT", `machines/${ids[h]}/`, { zone, pool });
    assert.equal(r.status, 200, r.body);
  }
  const m = await machine("n1");
  assert.deepEqual([m.zone.name, m.pool.name, m.pool.id], ["rack-a", "team-a", 1]);
  const bad = await api("PUT", `machines/${ids.n1}/`, { zone: "nowhere" });
  assert.deepEqual([bad.status, bad.json()], [400, { zone: ["Select a valid choice. That choice is not one of the available choices."] }]);
  const denied = await alice("PUT", `machines/${ids.n4}/`, { pool: "team-a" });
  assert.equal(denied.status, 403, "moving a machine needs admin");
});

test("tags: create with MAAS's errors, update_nodes add/remove, op=machines, superuser-only writes", async () => {
  for (const name of ["ssd", "gpu", "big-mem"]) ok(await api("POST", "tags/", { name, comment: `${name} machines` }), name);
  assert.deepEqual((await api("POST", "tags/", { name: "ssd" })).json(), { name: ["Tag with this Name already exists."] });
  assert.deepEqual((await api("POST", "tags/", { name: "no spaces" })).json(), { name: ["Enter a valid value."] });
  assert.deepEqual((await api("GET", "tags/ssd/")).json(), { name: "ssd", definition: "", comment: "ssd machines", kernel_opts: "", resource_uri: "/MAAS/api/2.0/tags/ssd/" });
  assert.deepEqual([(await alice("POST", "tags/", { name: "x" })).status, (await alice("POST", "tags/", { name: "x" })).body], [403, ""]);
  assert.deepEqual([(await alice("POST", "tags/ssd/", { op: "update_nodes", add: ids.n4! })).status], [403]);
  const added = await api("POST", "tags/ssd/", { op: "update_nodes", add: [ids.n1!, ids.n2!, "nosuch"] });
  assert.deepEqual(added.json(), { added: 2, removed: 0 }, "unknown system ids are ignored");
  ok(await api("POST", "tags/gpu/", { op: "update_nodes", add: [ids.n2!, ids.n3!] }), "gpu");
  assert.deepEqual((await api("POST", "tags/gpu/", { op: "update_nodes", remove: ids.n3! })).json(), { added: 0, removed: 1 });
  assert.deepEqual((await machine("n2")).tag_names, ["ssd", "gpu"]);
  assert.deepEqual(hosts(await api("GET", "tags/ssd/", { op: "machines" })), ["n1", "n2"]);
  const mismatch = await api("POST", "tags/ssd/", { op: "update_nodes", add: ids.n3!, definition: "//node" });
  assert.deepEqual([mismatch.status, mismatch.body], [409, "Definition supplied '//node' doesn't match current definition ''"]);
  assert.deepEqual([(await api("GET", "tags/nosuch/")).status, (await api("GET", "tags/nosuch/")).body], [404, "No Tag matches the given query."]);
});

test("GET machines/ filters: tags (all), not_tags, zone and pool (any), not_in_zone, not_in_pool; unknown names are field errors", async () => {
  assert.deepEqual(hosts(await api("GET", "machines/", { zone: "rack-a" })), ["n1", "n2"]);
  assert.deepEqual(hosts(await api("GET", "machines/", { zone: ["rack-c", "default"] })), ["n3", "n4"]);
  assert.deepEqual(hosts(await api("GET", "machines/", { pool: "team-a" })), ["n1", "n3"]);
  assert.deepEqual(hosts(await api("GET", "machines/", { tags: "ssd,gpu" })), ["n2"]);
  assert.deepEqual(hosts(await api("GET", "machines/", { tags: "ssd", not_tags: "gpu" })), ["n1"]);
  assert.deepEqual(hosts(await api("GET", "machines/", { not_in_zone: "rack-a", not_in_pool: "team-a" })), ["n4"]);
  const unknown = await api("GET", "machines/", { zone: "nowhere", tags: ["ssd", "fast"], pool: "nopool" });
  assert.deepEqual([unknown.status, unknown.json()], [400, { tags: ["No such tag(s): 'fast'."], zone: ["No such zone(s): nowhere."], pool: ["No such pool(s): nopool."] }]);
  assert.equal((await api("GET", "machines/", { not_tags: "never-made" })).status, 200, "unknown not_tags are not an error");
});

test("allocate honours zone, pool, tags and not_tags; nothing matching is MAAS's 409", async () => {
  const r = await api("POST", "machines/", { op: "allocate", zone: "rack-a", pool: "team-b", tags: "ssd", not_tags: "big-mem" });
  assert.equal(r.status, 200, r.body);
  assert.equal((r.json() as { hostname: string }).hostname, "n2");
  const none = await api("POST", "machines/", { op: "allocate", zone: "rack-c", tags: "ssd" });
  assert.equal(none.status, 409);
  assert.match(none.body, /^No available machine matches constraints: /);
  const bad = await api("POST", "machines/", { op: "allocate", tags: "fast" });
  assert.deepEqual([bad.status, bad.json()], [400, { tags: ["No such tag(s): 'fast'."] }]);
  ok(await api("POST", `machines/${ids.n2}/`, { op: "release" }), "release n2");
});

test("renaming a tag renames it on its machines; deleting a zone moves its machines to default; pools in use or default are not deleted", async () => {
  ok(await api("PUT", "tags/gpu/", { name: "gpu-a100" }), "rename tag");
  assert.deepEqual((await machine("n2")).tag_names, ["ssd", "gpu-a100"]);
  ok(await api("DELETE", "tags/big-mem/"), "delete tag");
  const dz = await api("DELETE", "zones/default/");
  assert.deepEqual([dz.status, dz.body], [400, "This zone is the default zone, it cannot be deleted."]);
  assert.equal((await api("DELETE", "zones/never-was/")).status, 204, "an unknown zone deletes as 204");
  ok(await api("POST", "zones/", { name: "temp" }), "temp zone");
  ok(await api("PUT", `machines/${ids.n4}/`, { zone: "temp" }), "n4 to temp");
  assert.equal((await api("DELETE", "zones/temp/")).status, 204);
  assert.equal((await machine("n4")).zone.name, "default");
  const dp = await api("DELETE", "resourcepool/0/");
  assert.deepEqual([dp.status, dp.body], [400, "This is the default pool, it cannot be deleted."]);
  const busy = await api("DELETE", "resourcepool/1/");
  assert.deepEqual([busy.status, busy.body], [400, "Pool has machines in it, it cannot be deleted."]);
});

test("zones, pools, tags and each machine's placement survive a restart from the --state file", async () => {
  await sim.close();
  await start();
  assert.deepEqual(names(await api("GET", "zones/")), ["default", "rack-a", "rack-c"]);
  assert.deepEqual(names(await api("GET", "resourcepools/")), ["default", "team-a", "team-b"]);
  assert.deepEqual(names(await api("GET", "tags/")), ["ssd", "gpu-a100"]);
  const m = await machine("n2");
  assert.deepEqual([m.zone.name, m.pool.name, m.tag_names], ["rack-a", "team-b", ["ssd", "gpu-a100"]]);
  const z = await api("POST", "zones/", { name: "after-restart" });
  assert.equal((z.json() as { id: number }).id, 5, "ids go on after the saved ones");
});
