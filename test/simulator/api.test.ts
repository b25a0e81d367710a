// Drives the simulator over HTTP only; expectations are the facts quoted in shared/maas-api.md (§1.4, §3.4, §6.7).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator";

import { maasHttp } from "./http-client";

let sim: TestSimulator;
const { oauth, call, waitStatus, create, JSON_CT, TEXT } = maasHttp(() => sim);

before(async () => { sim = await startTestSimulator({ speed: 3000 }); });
after(async () => { await sim.close(); });

// ------------------------------------------------------------------ §1.4 auth
test("auth: anonymous version/, 401 without credentials, MAAS's 401 texts", async () => {
  const v = await call("GET", "version/", {}, { auth: null });
  assert.equal(v.status, 200);
  assert.ok(v.json.capabilities.includes("authenticate-api"));
  const vv = await fetch(`${sim.url}/api/version/`);
  assert.equal(vv.status, 200);
  assert.equal(await vv.text(), "2.0");
  const old = await fetch(`${sim.url}/api/1.0/machines/`);
  assert.equal(old.status, 410);
  assert.equal(await old.text(), "The 1.0 API is no longer available. Please use API version 2.0.");
  assert.equal((await call("GET", "machines/", {}, { auth: null })).status, 401);
  const badConsumer = await call("GET", "machines/", {}, { auth: oauth("nope:x:y") });
  assert.equal(badConsumer.status, 401);
  assert.equal(badConsumer.text, "Authorization Error: Invalid API key.");
  const [ck] = sim.apiKey.split(":");
  const badToken = await call("GET", "machines/", {}, { auth: oauth(`${ck}:wrongtoken:zzz`) });
  assert.equal(badToken.status, 401);
  assert.match(badToken.text, /^Authorization Error: .*Invalid access token: wrongtoken/);
  const [, tk] = sim.apiKey.split(":");
  const badSig = await call("GET", "machines/", {}, { auth: oauth(`${ck}:${tk}:wrongsecret`) });
  assert.equal(badSig.status, 401);
  assert.match(badSig.text, /^Authorization Error: /);
  const missing = await call("GET", "machines/", {}, { auth: `OAuth oauth_consumer_key="${ck}"` });
  assert.equal(missing.status, 400);
  assert.match(missing.text, /^Bad Request: '.*'$/);
});

test("auth: unquoted values with a literal & signature are accepted; nonce reuse is refused", async () => {
  assert.equal((await call("GET", "users/", { op: "whoami" }, { auth: oauth(sim.apiKey, "unquoted") })).status, 200);
  const h = oauth(sim.apiKey, "quoted", "fixed-nonce-1");
  assert.equal((await call("GET", "users/?op=whoami", {}, { auth: h })).status, 200);
  assert.equal((await call("GET", "users/?op=whoami", {}, { auth: h })).status, 401);
  const me = await call("GET", "users/?op=whoami");
  assert.equal(me.json.is_superuser, true);
});

test("an unsigned POST machines/ is anonymous enlistment (NEW)", async () => {
  const r = await call("POST", "machines/", { mac_addresses: "52:54:00:aa:00:01", architecture: "amd64/generic" }, { auth: null });
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 0);
  assert.equal(r.json.status_name, "New");
});

// ------------------------------------------------------------------ §1.2 / §6.7 conventions
test("unknown op is 400 text 'Unrecognised signature'; unknown machine is 404 text", async () => {
  const r = await call("GET", "machines/?op=foo");
  assert.equal(r.status, 400);
  assert.match(r.ct, TEXT);
  assert.equal(r.text, "Unrecognised signature: method=GET op=foo");
  const nf = await call("GET", "machines/xxxxxx/");
  assert.equal(nf.status, 404);
  assert.equal(nf.text, "No Machine matches the given query.");
});

test("default inventory: existing-node Ready, UEFI, fabrics and subnets, boot resources", async () => {
  const ms = (await call("GET", "machines/", { hostname: "existing-node" })).json;
  assert.equal(ms.length, 1);
  const m = ms[0];
  assert.equal(m.status_name, "Ready");
  assert.equal(m.bios_boot_method, "uefi");
  assert.equal(m.architecture, "amd64/generic");
  assert.deepEqual(m.interface_set.map((i: any) => i.name), ["eth0", "eth1", "eth2"]);
  assert.equal(m.boot_interface.name, "eth0");
  assert.equal(m.boot_interface.links[0].mode, "auto");
  assert.equal(m.boot_interface.links[0].subnet.cidr, "10.0.0.0/24");
  assert.equal(m.interface_set[2].vlan.fabric, "fabric-1");
  assert.equal(m.resource_uri, `/MAAS/api/2.0/machines/${m.system_id}/`);
  const subnets = (await call("GET", "subnets/")).json.map((s: any) => [s.cidr, s.gateway_ip]);
  assert.deepEqual(subnets, [["10.0.0.0/24", "10.0.0.1"], ["192.168.1.0/24", "192.168.1.1"]]);
  const br = (await call("GET", "boot-resources/")).json.map((b: any) => b.name);
  for (const s of ["ubuntu/jammy", "ubuntu/focal", "ubuntu/noble"]) assert.ok(br.includes(s));
  const inv = await sim.inventory();
  const n1 = inv.servers.find((s) => s.hostname === "node01")!;
  assert.deepEqual(n1.nics.map((x) => [x.name, x.mac]), [["eth0", "aa:bb:cc:dd:ee:ff"], ["eth1", "aa:bb:cc:dd:ee:01"], ["eth2", "aa:bb:cc:dd:ee:02"]]);
  assert.equal(n1.disks[0]!.size, 960e9);
});

// ------------------------------------------------------------------ §3.2 flows
test("create (multipart) → Commissioning → Testing → Ready; hardware from the inventory; flat layout", async () => {
  const r = await call("POST", "machines/", { mac_addresses: "aa:bb:cc:dd:ee:ff", architecture: "amd64/generic", power_type: "ipmi", power_parameters_power_address: "10.0.0.100", hostname: "node01" }, { multipart: true });
  assert.equal(r.status, 200);
  assert.match(r.ct, JSON_CT);
  assert.equal(r.json.status, 1);
  assert.equal(r.json.status_name, "Commissioning");
  await waitStatus(r.json.system_id, 21);
  const m = await waitStatus(r.json.system_id, 4);
  assert.equal(m.status_name, "Ready");
  assert.equal(m.physicalblockdevice_set[0].size, 960e9);
  const parts = m.physicalblockdevice_set[0].partitions;
  assert.equal(parts[0].filesystem.mount_point, "/boot/efi");
  assert.equal(parts[0].filesystem.fstype, "fat32");
  assert.equal(parts[0].size, 512 * 1024 * 1024);
  assert.equal(parts[1].filesystem.mount_point, "/");
  assert.deepEqual(m.interface_set.map((i: any) => i.mac_address), ["aa:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02"]);
  const pp = (await call("GET", "machines/", { op: "power_parameters" })).json;
  assert.equal(pp[m.system_id].power_address, "10.0.0.100");
  const st = await sim.stats();
  const tr = st.machines[m.system_id]!.transitions.map((t) => `${t.from}>${t.to}`);
  assert.deepEqual(tr.slice(-3), ["New>Commissioning", "Commissioning>Testing", "Testing>Ready"]);
  assert.ok(st.machines[m.system_id]!.busySeconds > 200);
});

test("unknown MACs get generated hardware: two NICs, a 480 GB disk", async () => {
  const m0 = await create("52:54:00:12:34:56");
  const m = await waitStatus(m0.system_id, 4);
  assert.equal(m.interface_set.length, 2);
  assert.equal(m.physicalblockdevice_set[0].size, 480e9);
});

test("commission=false stays New; deploy of New is 409 text; commission from Deploying is 400 JSON __all__", async () => {
  const m = await create("52:54:00:00:00:10", { commission: "false" });
  assert.equal(m.status, 0);
  const d = await call("POST", `machines/${m.system_id}/?op=deploy`);
  assert.equal(d.status, 409);
  assert.match(d.ct, TEXT);
  assert.equal(d.text, "Can't deploy a machine that is in the 'New' state");
  const rel = await call("POST", `machines/${m.system_id}/?op=release`);
  assert.equal(rel.status, 409);
  assert.equal(rel.text, "Machine cannot be released in its current state ('New').");
  const ab = await call("POST", `machines/${m.system_id}/?op=abort`);
  assert.equal(ab.status, 409);
  assert.equal(ab.text, `Cannot abort in current state: node ${m.system_id} is in state New.`);
  const mf = await call("POST", `machines/${m.system_id}/?op=mark_fixed`);
  assert.equal(mf.status, 409);
  assert.equal(mf.text, "Can't mark a non-broken node as 'Ready'.");
  const mb = await call("POST", `machines/${m.system_id}/?op=mark_broken`);
  assert.equal(mb.status, 403);
  assert.equal(mb.text, "");
  const sl = await call("POST", `machines/${m.system_id}/?op=set_storage_layout`, { storage_layout: "flat" });
  assert.equal(sl.status, 409);
  assert.equal(sl.text, "Cannot change the storage layout on a machine that is not Ready.");
  const po = await call("POST", `machines/${m.system_id}/?op=power_on`);
  assert.equal(po.status, 409);
  assert.equal(po.text, "Can't start node: it hasn't been allocated.");
  // commission from New, then abort while commissioning → New
  const c = await call("POST", `machines/${m.system_id}/?op=commission`);
  assert.equal(c.json.status, 1);
  const a = await call("POST", `machines/${m.system_id}/?op=abort`);
  assert.equal(a.json.status_name, "New");
  await call("POST", `machines/${m.system_id}/?op=commission`);
  const ready = await waitStatus(m.system_id, 4);
  const dep = await call("POST", `machines/${ready.system_id}/?op=deploy`, { distro_series: "ubuntu/jammy", agent_name: "agent-x", user_data: Buffer.from("#cloud-config\n").toString("base64") });
  assert.equal(dep.status, 200);
  assert.equal(dep.json.status, 9);
  assert.equal(dep.json.osystem, "ubuntu");
  assert.equal(dep.json.distro_series, "jammy");
  const cm = await call("POST", `machines/${m.system_id}/?op=commission`);
  assert.equal(cm.status, 400);
  assert.match(cm.ct, JSON_CT);
  assert.deepEqual(cm.json, { __all__: ["Commission is not available because of the current state of the node."] });
  const ab2 = await call("POST", `machines/${m.system_id}/?op=abort`);
  assert.equal(ab2.json.status_name, "Allocated");
  await call("POST", `machines/${m.system_id}/?op=deploy`);
  const deployed = await waitStatus(m.system_id, 6);
  assert.equal(deployed.agent_name ?? "agent-x", "agent-x");
  assert.ok(deployed.ip_addresses.length >= 1);
  const listed = (await call("GET", "machines/", { agent_name: "agent-x" })).json;
  assert.equal(listed.length, 1);
  // release with erase → Disk erasing → Ready
  const re = await call("POST", `machines/${m.system_id}/?op=release`, { erase: "true" });
  assert.equal(re.json.status, 14);
  assert.equal(re.json.status_name, "Disk erasing");
  const back = await waitStatus(m.system_id, 4);
  assert.equal(back.owner, null);
  assert.equal(back.osystem, "");
  // release of Ready is a no-op 200
  assert.equal((await call("POST", `machines/${m.system_id}/?op=release`)).status, 200);
});

test("release without erase: manual power lands in Ready in the same request; ipmi goes through Releasing", async () => {
  const m = await create("52:54:00:00:00:20", { power_type: "manual" });
  await waitStatus(m.system_id, 4);
  await call("POST", `machines/${m.system_id}/?op=deploy`);
  await waitStatus(m.system_id, 6);
  const r = await call("POST", `machines/${m.system_id}/?op=release`);
  assert.equal(r.json.status, 4);
  const m2 = await create("52:54:00:00:00:21");
  await waitStatus(m2.system_id, 4);
  await call("POST", `machines/${m2.system_id}/?op=deploy`);
  await waitStatus(m2.system_id, 6);
  const r2 = await call("POST", `machines/${m2.system_id}/?op=release`);
  assert.equal(r2.json.status_name, "Releasing");
  await waitStatus(m2.system_id, 4);
});

test("allocate, mark_broken by the owner, mark_fixed; allocate with nothing left is 409", async () => {
  const m = await create("52:54:00:00:00:30");
  await waitStatus(m.system_id, 4);
  const a = await call("POST", "machines/?op=allocate", { system_id: m.system_id });
  assert.equal(a.status, 200);
  assert.equal(a.json.status, 10);
  assert.equal(a.json.owner, "admin");
  const none = await call("POST", "machines/?op=allocate", { system_id: m.system_id });
  assert.equal(none.status, 409);
  assert.equal(none.text, `No machine with system ID ${m.system_id} available.`);
  const b = await call("POST", `machines/${m.system_id}/?op=mark_broken`, { comment: "disk noise" });
  assert.equal(b.json.status_name, "Broken");
  assert.equal(b.json.error_description, "disk noise");
  const f = await call("POST", `machines/${m.system_id}/?op=mark_fixed`);
  assert.equal(f.json.status_name, "Ready");
});

test("deploy validation: no root mount → 400 {storage}, no link → 400 {network}, bad series → 400 {distro_series}", async () => {
  const m = await create("52:54:00:00:00:40");
  await waitStatus(m.system_id, 4);
  const bad = await call("POST", `machines/${m.system_id}/?op=deploy`, { distro_series: "bogus" });
  assert.equal(bad.status, 400);
  assert.ok(Array.isArray(bad.json.distro_series));
  await call("POST", `machines/${m.system_id}/?op=set_storage_layout`, { storage_layout: "blank" });
  const s = await call("POST", `machines/${m.system_id}/?op=deploy`);
  assert.equal(s.status, 400);
  assert.match(s.ct, JSON_CT);
  assert.deepEqual(s.json, { storage: ["Mount the root '/' filesystem to be able to deploy this node."] });
  await call("POST", `machines/${m.system_id}/?op=set_storage_layout`, { storage_layout: "flat" });
  const full = (await call("GET", `machines/${m.system_id}/`)).json;
  for (const i of full.interface_set) await call("POST", `nodes/${m.system_id}/interfaces/${i.id}/?op=disconnect`);
  const n = await call("POST", `machines/${m.system_id}/?op=deploy`);
  assert.equal(n.status, 400);
  assert.deepEqual(n.json, { network: ["Node must be configured to use a network"] });
  // still Ready: a failed deploy does not allocate
  assert.equal((await call("GET", `machines/${m.system_id}/`)).json.status, 4);
  const inv = await call("POST", `machines/${m.system_id}/?op=set_storage_layout`, { storage_layout: "nope" });
  assert.equal(inv.status, 400);
  assert.ok(inv.json.storage_layout[0].startsWith("'nope' is not a valid storage_layout."));
});

test("list filters: repeated id, hostname, bad mac → 400 JSON; stats share 1/k; delete → 204 empty", async () => {
  const a = await create("52:54:00:00:00:50");
  const b = await create("52:54:00:00:00:51");
  await sim.resetStats();
  const l = await call("GET", "machines/", { id: [a.system_id, b.system_id] });
  assert.deepEqual(l.json.map((m: any) => m.system_id).sort(), [a.system_id, b.system_id].sort());
  const st = await sim.stats();
  assert.equal(st.machines[a.system_id]!.requests, 0.5);
  assert.deepEqual(st.requests, [{ method: "GET", route: "machines/", systemId: null, status: 200, count: 1 }]);
  const bm = await call("GET", "machines/", { mac_address: "zz" });
  assert.equal(bm.status, 400);
  assert.deepEqual(bm.json, { mac_address: ["Invalid parameter: invalid MAC address format"] });
  const byMac = await call("GET", "machines/", { mac_address: "52:54:00:00:00:51" });
  assert.equal(byMac.json[0].system_id, b.system_id);
  const del = await call("DELETE", `machines/${a.system_id}/`);
  assert.equal(del.status, 204);
  assert.equal(del.text, "");
  assert.equal((await call("GET", `machines/${a.system_id}/`)).status, 404);
  assert.equal(await sim.mutatingRequestCount(), 1);
  const upd = await call("PUT", `machines/${b.system_id}/`, { hostname: "renamed", power_parameters_power_user: "root" });
  assert.equal(upd.json.hostname, "renamed");
  const pp = (await call("GET", `machines/${b.system_id}/?op=power_parameters`)).json;
  assert.deepEqual(pp, { power_address: "10.9.9.9", power_user: "root" });
  assert.equal((await call("GET", `machines/${b.system_id}/?op=query_power_state`)).json.state.length > 0, true);
});
