// Storage and network through HTTP only; expectations from shared/maas-api.md §4, §5, §6.7.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator";

import { maasHttp } from "./http-client";

let sim: TestSimulator;
const { oauth, call, waitStatus, create, JSON_CT, TEXT } = maasHttp(() => sim);

before(async () => { sim = await startTestSimulator({ speed: 3000 }); });
after(async () => { await sim.close(); });

const MiB = 1024 * 1024;

async function readyMachine(mac: string): Promise<any> {
  const m = await create(mac);
  return waitStatus(m.system_id, 4);
}

test("partitions: SI sizes rounded down to 4 MiB, item URL has no trailing slash, 200 create / 204 delete", async () => {
  const m = await readyMachine("52:54:00:00:01:01");
  const sid = m.system_id;
  assert.equal((await call("POST", `machines/${sid}/?op=set_storage_layout`, { storage_layout: "blank" })).status, 200);
  const disk = (await call("GET", `nodes/${sid}/blockdevices/`)).json[0];
  assert.equal(disk.partition_table_type, null);
  const p = await call("POST", `nodes/${sid}/blockdevices/${disk.id}/partitions/`, { size: "512M", bootable: "true" });
  assert.equal(p.status, 200);
  assert.equal(p.json.size, Math.floor(512e6 / (4 * MiB)) * 4 * MiB);
  assert.equal(p.json.type, "partition");
  assert.equal(p.json.resource_uri, `/MAAS/api/2.0/nodes/${sid}/blockdevices/${disk.id}/partition/${p.json.id}`);
  assert.equal(p.json.path, "/dev/disk/by-dname/sda-part1");
  const item = await call("GET", `nodes/${sid}/blockdevices/${disk.id}/partition/${p.json.id}`);
  assert.equal(item.status, 200);
  assert.equal((await call("GET", `nodes/${sid}/blockdevices/${disk.id}/partition/${p.json.id}/`)).status, 404);
  assert.equal((await call("GET", `nodes/${sid}/blockdevices/${disk.id}/partitions/${p.json.id}`)).status, 200);
  // the table reserves 4 MiB at the start and 1 MiB at the end
  const d2 = (await call("GET", `nodes/${sid}/blockdevices/${disk.id}/`)).json;
  assert.equal(d2.partition_table_type, "GPT");
  assert.equal(d2.available_size, disk.size - 5 * MiB - p.json.size);
  // larger than the disk → 400 JSON on size
  const big = await call("POST", `nodes/${sid}/blockdevices/${disk.id}/partitions/`, { size: "2T" });
  assert.equal(big.status, 400);
  assert.match(big.ct, /^application\/json/);
  assert.ok(Array.isArray(big.json.size));
  // rest of the disk, then nothing left
  const rest = await call("POST", `nodes/${sid}/blockdevices/${disk.id}/partitions/`);
  assert.equal(rest.status, 200);
  assert.equal(rest.json.size % (4 * MiB), 0);
  const full = await call("POST", `nodes/${sid}/blockdevices/${disk.id}/partitions/`, { size: "10M" });
  assert.equal(full.status, 400);
  assert.deepEqual(full.json, { size: ["Partition cannot be saved; not enough free space on the block device."] });
  // format / mount / unmount / unformat
  const unf = await call("POST", `nodes/${sid}/blockdevices/${disk.id}/partition/${rest.json.id}?op=unformat`);
  assert.equal(unf.status, 400);
  const mnt0 = await call("POST", `nodes/${sid}/blockdevices/${disk.id}/partition/${rest.json.id}?op=mount`, { mount_point: "/" });
  assert.equal(mnt0.status, 400);
  assert.equal(mnt0.text, "Cannot mount an unformatted partition or block device.");
  const f = await call("POST", `nodes/${sid}/blockdevices/${disk.id}/partition/${rest.json.id}?op=format`, { fstype: "ext4", label: "root" });
  assert.equal(f.json.filesystem.fstype, "ext4");
  const mnt = await call("POST", `nodes/${sid}/blockdevices/${disk.id}/partition/${rest.json.id}?op=mount`, { mount_point: "/" });
  assert.equal(mnt.json.filesystem.mount_point, "/");
  const um = await call("POST", `nodes/${sid}/blockdevices/${disk.id}/partition/${rest.json.id}?op=unmount`);
  assert.equal(um.json.filesystem.mount_point, null);
  const um2 = await call("POST", `nodes/${sid}/blockdevices/${disk.id}/partition/${rest.json.id}?op=unmount`);
  assert.equal(um2.status, 400);
  assert.equal(um2.text, "Filesystem is already unmounted.");
  const del = await call("DELETE", `nodes/${sid}/blockdevices/${disk.id}/partition/${p.json.id}`);
  assert.equal(del.status, 204);
  assert.equal(del.text, "");
  const bd = await call("POST", `nodes/${sid}/blockdevices/${disk.id}/?op=set_boot_disk`);
  assert.equal(bd.status, 200);
  assert.equal(bd.text, "OK");
  // unformatted block device
  const ubd = await call("POST", `nodes/${sid}/blockdevices/${disk.id}/?op=unformat`);
  assert.equal(ubd.status, 400);
  assert.equal(ubd.text, "Block device is not formatted.");
});

test("volume group + logical volume; delete_logical_volume of an unknown id is 204; edits need Ready (409)", async () => {
  const m = await readyMachine("52:54:00:00:01:02");
  const sid = m.system_id;
  await call("POST", `machines/${sid}/?op=set_storage_layout`, { storage_layout: "blank" });
  const disk = (await call("GET", `nodes/${sid}/blockdevices/`)).json[0];
  const efi = (await call("POST", `nodes/${sid}/blockdevices/${disk.id}/partitions/`, { size: "512M", bootable: "true" })).json;
  await call("POST", `nodes/${sid}/blockdevices/${disk.id}/partition/${efi.id}?op=format`, { fstype: "fat32" });
  await call("POST", `nodes/${sid}/blockdevices/${disk.id}/partition/${efi.id}?op=mount`, { mount_point: "/boot/efi" });
  const pv = (await call("POST", `nodes/${sid}/blockdevices/${disk.id}/partitions/`)).json;
  const vg = await call("POST", `nodes/${sid}/volume-groups/`, { name: "vg0", partitions: String(pv.id) });
  assert.equal(vg.status, 200, vg.text);
  assert.equal(vg.json.name, "vg0");
  assert.ok(vg.json.size > 0);
  const lv = await call("POST", `nodes/${sid}/volume-group/${vg.json.id}/?op=create_logical_volume`, { name: "root", size: "100G" });
  assert.equal(lv.status, 200, lv.text);
  assert.equal(lv.json.name, "vg0-root");
  assert.equal(lv.json.type, "virtual");
  await call("POST", `nodes/${sid}/blockdevices/${lv.json.id}/?op=format`, { fstype: "ext4" });
  const mt = await call("POST", `nodes/${sid}/blockdevices/${lv.json.id}/?op=mount`, { mount_point: "/" });
  assert.equal(mt.json.filesystem.mount_point, "/");
  const vgs = (await call("GET", `nodes/${sid}/volume-groups/`)).json;
  assert.equal(vgs[0].logical_volumes[0].name, "vg0-root");
  const mach = (await call("GET", `machines/${sid}/`)).json;
  assert.equal(mach.volume_groups[0].__incomplete__, true);
  assert.equal(mach.virtualblockdevice_set.length, 1);
  assert.equal((await call("POST", `nodes/${sid}/volume-group/${vg.json.id}/?op=delete_logical_volume`, { id: "99999" })).status, 204);
  assert.equal((await call("POST", `nodes/${sid}/blockdevices/${lv.json.id}/?op=set_boot_disk`)).text, "Cannot set a virtual block device as the boot disk.");
  // deploy with this layout works, then storage edits are refused with 409
  const dep = await call("POST", `machines/${sid}/?op=deploy`);
  assert.equal(dep.status, 200, dep.text);
  const np = await call("POST", `nodes/${sid}/blockdevices/${disk.id}/partitions/`, { size: "1G" });
  assert.equal(np.status, 409);
  assert.match(np.ct, /^text\/plain/);
  assert.equal(np.text, "Cannot create partition because the node is not Ready.");
});

test("bond defaults, bond errors, VLAN and bridge, link_subnet STATIC with default gateway, state rules", async () => {
  const m = await readyMachine("52:54:00:00:01:03");
  const sid = m.system_id;
  const ifs = (await call("GET", `nodes/${sid}/interfaces/`)).json;
  const [e0, e1] = ifs;
  const bad = await call("POST", `nodes/${sid}/interfaces/?op=create_bond`, { name: "bond0", parents: [String(e0.id), String(e1.id)], bond_mode: "x" });
  assert.equal(bad.status, 400);
  assert.ok(bad.json.bond_mode[0].startsWith("'x' is not a valid bond_mode."));
  const b = await call("POST", `nodes/${sid}/interfaces/?op=create_bond`, { name: "bond0", parents: [String(e0.id), String(e1.id)] });
  assert.equal(b.status, 200, b.text);
  assert.equal(b.json.type, "bond");
  assert.equal(b.json.mac_address, e0.mac_address);
  assert.deepEqual(b.json.parents, ["eth0", "eth1"]);
  for (const [k, v] of Object.entries({ bond_mode: "balance-rr", bond_miimon: 100, bond_downdelay: 0, bond_updelay: 0, bond_num_grat_arp: 1, bond_lacp_rate: "fast", bond_xmit_hash_policy: "layer2" }))
    assert.equal(b.json.params[k], v, k);
  const again = await call("POST", `nodes/${sid}/interfaces/?op=create_bond`, { name: "bond1", parents: [String(e0.id)] });
  assert.equal(again.status, 400);
  assert.deepEqual(again.json, { parents: ["Interfaces already in-use: eth0."] });
  const phys = await call("POST", `nodes/${sid}/interfaces/?op=create_physical`, { mac_address: "52:54:00:00:01:99", name: "eth9" });
  assert.equal(phys.status, 200, phys.text);
  const b2 = await call("POST", `nodes/${sid}/interfaces/?op=create_bond`, { name: "bond2", parents: [String(phys.json.id)], bond_mode: "802.3ad", bond_lacp_rate: "slow", bond_xmit_hash_policy: "layer3+4", mtu: "9000" });
  assert.equal(b2.json.params.bond_mode, "802.3ad");
  assert.equal(b2.json.effective_mtu, 9000);
  const upd = await call("PUT", `nodes/${sid}/interfaces/${b.json.id}/`, { mtu: "9000", bond_mode: "active-backup" });
  assert.equal(upd.json.effective_mtu, 9000);
  assert.equal(upd.json.params.bond_mode, "active-backup");
  const subnet = (await call("GET", "subnets/")).json.find((s: any) => s.cidr === "10.0.0.0/24");
  const link = await call("POST", `nodes/${sid}/interfaces/${b.json.id}/?op=link_subnet`, { mode: "STATIC", subnet: String(subnet.id), ip_address: "10.0.0.50", default_gateway: "true" });
  assert.equal(link.status, 200, link.text);
  assert.equal(link.json.links[0].mode, "static");
  assert.equal(link.json.links[0].ip_address, "10.0.0.50");
  const mm = (await call("GET", `machines/${sid}/`)).json;
  assert.equal(mm.default_gateways.ipv4.gateway_ip, "10.0.0.1");
  assert.ok(mm.ip_addresses.includes("10.0.0.50"));
  const taken = await call("POST", `nodes/${sid}/interfaces/${b.json.id}/?op=link_subnet`, { mode: "STATIC", subnet: String(subnet.id), ip_address: "10.0.0.50" });
  assert.equal(taken.status, 400);
  const lu = await call("POST", `nodes/${sid}/interfaces/${b.json.id}/?op=unlink_subnet`, { id: String(link.json.links[0].id) });
  assert.equal(lu.json.links.length, 0);
  await call("POST", `nodes/${sid}/interfaces/${b.json.id}/?op=link_subnet`, { mode: "AUTO", subnet: String(subnet.id) });
  // tagged VLAN + VLAN interface + bridge
  const vlan = await call("POST", `fabrics/0/vlans/`, { vid: "100", name: "v100" });
  assert.equal(vlan.status, 200, vlan.text);
  const vi = await call("POST", `nodes/${sid}/interfaces/?op=create_vlan`, { parent: String(b.json.id), vlan: String(vlan.json.id) });
  assert.equal(vi.status, 200, vi.text);
  assert.equal(vi.json.name, "bond0.100");
  const br = await call("POST", `nodes/${sid}/interfaces/?op=create_bridge`, { name: "br0", parent: String(vi.json.id), bridge_stp: "true" });
  assert.equal(br.status, 200, br.text);
  assert.equal(br.json.params.bridge_type, "standard");
  assert.equal(br.json.params.bridge_stp, true);
  // deploy; then interface edits are refused
  const dep = await call("POST", `machines/${sid}/?op=deploy`);
  assert.equal(dep.status, 200, dep.text);
  await waitStatus(sid, 6);
  const del = await call("DELETE", `nodes/${sid}/interfaces/${br.json.id}/`);
  assert.equal(del.status, 409);
  assert.equal(del.text, "Cannot delete interface because the machine is not New, Ready, Allocated, or Broken.");
  const ren = await call("PUT", `nodes/${sid}/interfaces/${br.json.id}/`, { name: "br-renamed" });
  assert.equal(ren.status, 200);
  await call("POST", `machines/${sid}/?op=release`);
  await waitStatus(sid, 4);
  const d2 = await call("DELETE", `nodes/${sid}/interfaces/${br.json.id}/`);
  assert.equal(d2.status, 204);
});
