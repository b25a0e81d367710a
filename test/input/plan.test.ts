/** planFromInput: which resources each machine yields and with what inputs (issue 5's mapping). */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import { inspect } from "node:util";
import { validateInput } from "../../stacks/input";
import { planFromInput, type StackPlan } from "../../stacks/plan";

type Json = Record<string, unknown>;
function plan(raw: Json): StackPlan {
  const r = validateInput(raw);
  if (!r.ok) assert.fail(JSON.stringify(r.errors));
  return planFromInput(r.value);
}
const mac = (n: number) => `aa:bb:cc:dd:ee:${n.toString(16).padStart(2, "0")}`;

test("logical names: id, else the MAC with dashes, else the hostname (with a warning)", () => {
  const p = plan({
    actions: ["create_machine"],
    machines: [
      { hostname: "a", pxe_mac: mac(1), id: "rack1-u1" },
      { hostname: "b", pxe_mac: "AA-BB-CC-DD-EE-02" },
      { hostname: "c", adopt: true },
    ],
  });
  assert.deepEqual(
    p.machines.map((m) => [m.key, m.keyKind]),
    [
      ["rack1-u1", "id"],
      ["aa-bb-cc-dd-ee-02", "mac"],
      ["c", "hostname"],
    ],
  );
  assert.deepEqual(p.machines[0]!.names, { machine: "rack1-u1", storage: "rack1-u1-storage", network: "rack1-u1-network", deployment: "rack1-u1-deployment" });
  assert.deepEqual(p.machines.map((m) => m.warnings.some((w) => /renaming it replaces/.test(w))), [false, false, true]);
});

test("adopt: find_machine or no create_machine adopts; create_machine with a MAC enlists; the file's adopt wins", () => {
  const m = { hostname: "a", pxe_mac: mac(1) };
  assert.equal(plan({ actions: ["create_machine"], machine: m }).machines[0]!.machine.adopt, false);
  assert.equal(plan({ actions: ["find_machine"], machine: m }).machines[0]!.machine.adopt, true);
  assert.equal(plan({ actions: ["commission"], machine: m }).machines[0]!.machine.adopt, true);
  assert.equal(plan({ actions: ["create_machine"], machine: { ...m, adopt: true } }).machines[0]!.machine.adopt, true);
  assert.equal(plan({ actions: ["create_machine", "find_machine"], machine: m }).machines[0]!.machine.adopt, true);
});

test("commissioning runs when enlisting or when commission is listed; power only with set_power or create_machine", () => {
  const m = { hostname: "a", pxe_mac: mac(1), power_type: "ipmi", power_parameters: { power_pass: "pw" } };
  const enlist = plan({ actions: ["create_machine"], machine: m }).machines[0]!.machine;
  assert.equal(enlist.commissioning.run, true);
  assert.equal(enlist.power?.type, "ipmi");
  const adopted = plan({ actions: ["deploy"], machine: { ...m, adopt: true } }).machines[0]!;
  assert.equal(adopted.machine.commissioning.run, false);
  assert.equal(adopted.machine.power, undefined);
  assert.ok(adopted.warnings.some((w) => w.startsWith("machine.power_type: ignored")));
  const setPower = plan({ actions: ["set_power"], machine: { ...m, adopt: true } }).machines[0]!.machine;
  assert.equal(setPower.power?.parameters.reveal().power_pass, "pw");
});

test("bios with set_bios; boot_disk as a disk reference", () => {
  const p = plan({
    actions: ["find_machine", "set_bios", "set_boot_order"],
    machine: { hostname: "a", bios: { boot_mode: "uefi", sriov: true }, boot_disk: "/dev/sdb" },
  });
  assert.deepEqual(p.machines[0]!.machine.bios, { boot_mode: "uefi", sriov: "true" });
  assert.deepEqual(p.machines[0]!.machine.bootDisk, { by: "name", name: "sdb" });
  const q = plan({ actions: ["find_machine"], machine: { hostname: "a", bios: { x: "1" }, boot_disk: "S3Z9NB0K" } });
  assert.equal(q.machines[0]!.machine.bios, undefined);
  assert.deepEqual(q.machines[0]!.machine.bootDisk, { by: "serial", serial: "S3Z9NB0K" });
});

test("storage: present iff configure_storage and some storage; machine params override the file's key by key", () => {
  const base = { storage: { device: "/dev/sda", params: { root_size_g: 40, home_size_g: 0 } } };
  const machines = [
    { hostname: "a", pxe_mac: mac(1), storage: { params: { tmp_size_g: 5 } } },
    { hostname: "b", pxe_mac: mac(2), storage: { device: "serial:XYZ", layout: { partitions: [{ size: "rest", fs: "ext4", mount: "/" }] } } },
    { hostname: "c", pxe_mac: mac(3), boot_disk: "sdc" },
  ];
  const p = plan({ actions: ["create_machine", "configure_storage"], machines, ...base });
  const [a, b, c] = p.machines;
  assert.deepEqual(a!.storage!.disk, { by: "name", name: "sda" });
  assert.deepEqual(
    a!.storage!.volumeGroups[0]!.logicalVolumes.map((lv) => [lv.name, lv.sizeBytes]),
    [
      ["root", 40e9],
      ["var", 10e9],
      ["var-log", 10e9],
      ["tmp", 5e9],
    ],
  );
  assert.deepEqual(b!.storage, { disk: { by: "serial", serial: "XYZ" }, source: "layout", partitions: [{ sizeBytes: "rest", fs: "ext4", mount: "/", bootable: false }], volumeGroups: [] });
  assert.deepEqual(c!.storage!.disk, { by: "name", name: "sda" }, "the file's device comes before the machine's boot disk");
  const noDevice = plan({ actions: ["create_machine", "configure_storage"], machines: [{ ...machines[2]!, storage: { params: {} } }] });
  assert.deepEqual(noDevice.machines[0]!.storage!.disk, { by: "name", name: "sdc" });
  const none = plan({ actions: ["create_machine", "configure_storage"], machine: { hostname: "a", pxe_mac: mac(1) } });
  assert.equal(none.machines[0]!.storage, undefined);
  assert.ok(none.machines[0]!.warnings.some((w) => /neither the machine nor the file has storage/.test(w)));
  const withoutAction = plan({ actions: ["create_machine"], machines, ...base });
  assert.ok(withoutAction.machines.every((m) => m.storage === undefined));
});

test("storage sizes: SI and binary suffixes, bytes as numbers, efi_mb 0 drops the ESP", () => {
  const p = plan({
    actions: ["create_machine", "configure_storage"],
    machines: [
      {
        hostname: "a",
        pxe_mac: mac(1),
        storage: { layout: { partitions: [{ size: "1.5G", fs: "ext4", mount: "/boot" }, { size: "4GiB", fs: "swap" }, { size: 8000000000, fs: "xfs", mount: "/" }] } },
      },
      { hostname: "b", pxe_mac: mac(2), storage: { params: { efi_mb: 0, boot_size_g: 0 } } },
    ],
  });
  assert.deepEqual(p.machines[0]!.storage!.partitions.map((x) => x.sizeBytes), [1.5e9, 4 * 2 ** 30, 8e9]);
  assert.deepEqual(p.machines[1]!.storage!.partitions, [{ sizeBytes: "rest", bootable: false }]);
  assert.deepEqual(p.machines[1]!.storage!.volumeGroups[0]!.partitions, [0]);
});

test("network: a machine's network replaces the file's; bond parameters resolved to MAAS's defaults for the mode", () => {
  const top = { bonds: [{ name: "bond0", interfaces: ["eth0", "eth1"], lacp_rate: "slow" }] };
  const own = { bonds: [{ name: "bond1", interfaces: ["eno1", "eno2"], mode: "balance-xor", miimon: 50 }], vlans: [{ parent: "bond1", vid: 42 }] };
  const p = plan({
    actions: ["create_machine", "configure_network"],
    network: top,
    machines: [
      { hostname: "a", pxe_mac: mac(1) },
      { hostname: "b", pxe_mac: mac(2), network: own },
    ],
  });
  assert.deepEqual(p.machines[0]!.network!.bonds, [{ name: "bond0", interfaces: ["eth0", "eth1"], mode: "balance-rr", miimon: 100, updelay: 0, downdelay: 0 }]);
  assert.deepEqual(p.machines[1]!.network!.bonds, [
    { name: "bond1", interfaces: ["eno1", "eno2"], mode: "balance-xor", miimon: 50, updelay: 0, downdelay: 0, xmitHashPolicy: "layer2" },
  ]);
  assert.deepEqual(p.machines[1]!.network!.vlans, [{ name: "bond1.42", parent: "bond1", vid: 42 }]);
});

test("deployment: iff deploy; release options merge file then machine; timeouts carried", () => {
  const p = plan({
    actions: ["find_machine", "deploy"],
    release: { wipe_disks: true, secure_erase: true },
    machines: [
      { hostname: "a", distro_series: "jammy", hwe_kernel: "hwe-22.04", user_data: "#cloud-config\n", deploy_timeout: 3600, release_timeout: 900, release: { quick_erase: true }, reprovision: "r1" },
      { hostname: "b", release: { wipe_disks: false, secure_erase: false } },
    ],
  });
  assert.deepEqual(p.machines[0]!.deployment, {
    distroSeries: "jammy",
    hweKernel: "hwe-22.04",
    userData: "#cloud-config\n",
    wait: true,
    timeoutS: 3600,
    release: { erase: true, secureErase: true, quickErase: true, wait: true, timeoutS: 900 },
    reprovision: "r1",
  });
  assert.deepEqual(p.machines[1]!.deployment!.release, { erase: false, secureErase: false, quickErase: false, wait: true, timeoutS: 1800 });
  const none = plan({ actions: ["find_machine"], machine: { hostname: "a", distro_series: "jammy" } });
  assert.equal(none.machines[0]!.deployment, undefined);
  assert.ok(none.machines[0]!.warnings.some((w) => w.startsWith("machine.distro_series: ignored")));
});

test("list: a stack output; with only list the machines yield no resources", () => {
  const only = plan({ actions: ["list"], machines: [{ hostname: "a" }] });
  assert.equal(only.listMachines, true);
  assert.deepEqual(only.machines, []);
  assert.deepEqual(only.warnings, ["machines: ignored — actions is only list"]);
  const both = plan({ actions: ["list", "commission"], machines: [{ hostname: "a" }] });
  assert.equal(both.listMachines, true);
  assert.equal(both.machines.length, 1);
});

test("the order of actions never changes the plan, only adds a warning", () => {
  const machines = [{ hostname: "a", pxe_mac: mac(1), storage: {} }];
  const inOrder = plan({ actions: ["create_machine", "commission", "configure_storage", "deploy"], machines });
  const reversed = plan({ actions: ["deploy", "configure_storage", "commission", "create_machine"], machines });
  assert.deepEqual(inOrder.warnings, []);
  assert.equal(reversed.warnings.length, 1);
  assert.match(reversed.warnings[0]!, /deploy is listed before configure_storage/);
  assert.deepEqual(JSON.stringify(reversed.machines), JSON.stringify(inOrder.machines));
});

test("secrets in the plan print as [secret] (JSON, String, util.inspect)", () => {
  const key = "Cons0000000000000:Tok00000000000000:Sec0000000000000000000000000000";
  const p = plan({ maas_api_key: key, actions: ["create_machine"], machine: { hostname: "a", pxe_mac: mac(1), power_type: "ipmi", power_parameters: { power_pass: "hunter2hunter2" } } });
  for (const text of [JSON.stringify(p), inspect(p, { depth: 10 }), String(p.maasApiKey)]) {
    assert.ok(!text.includes("Sec0000000000000000000000000000"));
    assert.ok(!text.includes("hunter2hunter2"));
  }
  assert.equal(p.maasApiKey?.reveal(), key);
});
