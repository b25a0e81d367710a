/**
 * The validator's rules, one behaviour per test: a bad file is refused with the exact JSON path of
 * each problem; a good one is accepted with the notes it deserves.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadInputFile, validateInput, parseJson, type InputError } from "../../stacks/input";

type Json = Record<string, unknown>;
const node = (extra: Json = {}): Json => ({ hostname: "node01", pxe_mac: "aa:bb:cc:dd:ee:01", ...extra });
const file = (extra: Json = {}, machines: Json[] = [node()]): Json => ({
  actions: ["create_machine", "commission", "deploy"],
  machines,
  ...extra,
});

function errorsOf(raw: unknown): InputError[] {
  const r = validateInput(raw);
  if (r.ok) assert.fail(`accepted: ${JSON.stringify(raw)}`);
  return r.errors;
}
function paths(raw: unknown): string[] {
  return errorsOf(raw).map((e) => e.path);
}
function warningsOf(raw: unknown): string[] {
  const r = validateInput(raw);
  if (!r.ok) assert.fail(`rejected: ${JSON.stringify(r.errors)}`);
  return r.warnings;
}

test("a minimal file is accepted with the documented defaults filled in", () => {
  const r = validateInput(file());
  assert.ok(r.ok);
  const m = r.value.machines![0]!;
  assert.equal(m.architecture, "amd64/generic");
  assert.equal(m.commission_timeout, 1200);
  assert.equal(m.deploy_timeout, 1800);
  assert.equal(m.release_timeout, 1800);
  assert.equal(m.wait_commissioning, true);
  assert.equal(m.wait_deployment, true);
});

test("MACs in any common notation are normalised to lower-case colon form", () => {
  for (const mac of ["AA:BB:CC:DD:EE:FF", "aa-bb-cc-dd-ee-ff", "aabb.ccdd.eeff", "AABBCCDDEEFF"]) {
    const r = validateInput(file({}, [node({ pxe_mac: mac })]));
    assert.ok(r.ok, mac);
    assert.equal(r.value.machines![0]!.pxe_mac, "aa:bb:cc:dd:ee:ff");
  }
  assert.deepEqual(paths(file({}, [node({ pxe_mac: "aa:bb:cc:dd:ee" })])), ["machines[0].pxe_mac"]);
});

test("unknown keys are refused with their path and a suggestion", () => {
  const errs = errorsOf(file({ storag: {} }, [node({ distro_serie: "jammy" })]));
  assert.deepEqual(errs.map((e) => e.path).sort(), ["machines[0].distro_serie", "storag"]);
  assert.match(errs.find((e) => e.path === "storag")!.message, /did you mean "storage"/);
  assert.match(errs.find((e) => e.path === "machines[0].distro_serie")!.message, /did you mean "distro_series"/);
});

test("wrong types and missing required keys name their path", () => {
  assert.deepEqual(paths({ machines: [node()] }), ["actions"]);
  assert.deepEqual(paths(file({}, [{ pxe_mac: "aa:bb:cc:dd:ee:01" }])), ["machines[0].hostname"]);
  assert.deepEqual(paths(file({}, [node({ commission_timeout: "20m" })])), ["machines[0].commission_timeout"]);
  assert.deepEqual(paths(file({}, [node({ power_type: "ipmi", power_parameters: { power_port: [623] } })])), [
    "machines[0].power_parameters.power_port",
  ]);
  assert.deepEqual(paths([]), ["$"]);
});

test("machine or machines: exactly one, unless actions is only list", () => {
  assert.deepEqual(paths({ actions: ["deploy"] }), ["machines"]);
  assert.deepEqual(paths({ actions: ["deploy"], machine: node(), machines: [node()] }), ["machine"]);
  assert.deepEqual(paths({ actions: ["deploy"], machines: [] }), ["machines"]);
  assert.ok(validateInput({ actions: ["list"] }).ok);
  assert.ok(validateInput({ actions: ["list"], machines: [node()] }).ok);
});

test("release and delete are refused with the pointer to pulumi destroy and the CLI", () => {
  const errs = errorsOf(file({ actions: ["deploy", "delete"] }));
  assert.deepEqual(errs.map((e) => e.path), ["actions[1]"]);
  assert.match(errs[0]!.message, /pulumi destroy --target/);
  assert.match(errs[0]!.message, /-a delete/);
});

test("set_boot_order: refused (no boot-order API) unless machines name boot_disk", () => {
  const errs = errorsOf(file({ actions: ["create_machine", "set_boot_order"] }));
  assert.deepEqual(errs.map((e) => e.path), ["actions[1]"]);
  assert.match(errs[0]!.message, /MAAS 3\.x has no boot-order API/);
  assert.ok(validateInput(file({ actions: ["create_machine", "set_boot_order"] }, [node({ boot_disk: "/dev/sda" })])).ok);
  assert.deepEqual(
    paths(file({ actions: ["create_machine", "set_boot_order"] }, [node({ boot_disk: "sda" }), { hostname: "node02", pxe_mac: "aa:bb:cc:dd:ee:02" }])),
    ["machines[1].boot_disk"],
  );
});

test("wait_commissioning: false only when nothing needs the machine Ready", () => {
  assert.deepEqual(paths(file({}, [node({ wait_commissioning: false })])), ["machines[0].wait_commissioning"]);
  assert.deepEqual(paths(file({ actions: ["create_machine", "configure_network"] }, [node({ wait_commissioning: false })])), [
    "machines[0].wait_commissioning",
  ]);
  assert.ok(validateInput(file({ actions: ["create_machine", "commission"] }, [node({ wait_commissioning: false })])).ok);
});

test("wait_deployment: false is accepted (deploy is last) with a note; wait_release: false is refused with deploy", () => {
  assert.ok(warningsOf(file({}, [node({ wait_deployment: false })])).some((w) => w.startsWith("machines[0].wait_deployment")));
  assert.deepEqual(paths(file({ release: { wait_release: false } })), ["release.wait_release"]);
  assert.deepEqual(paths(file({}, [node({ wait_release: false })])), ["machines[0].wait_release"]);
  assert.deepEqual(paths(file({}, [node({ release: { wait_release: false } })])), ["machines[0].release.wait_release"]);
  assert.ok(validateInput(file({ actions: ["create_machine"], release: { wait_release: false } })).ok);
});

test("duplicate hostnames, ids, MACs and logical names are refused at the later entry", () => {
  assert.deepEqual(paths(file({}, [node(), node({ pxe_mac: "aa:bb:cc:dd:ee:02", hostname: "NODE01" })])), ["machines[1].hostname"]);
  assert.deepEqual(paths(file({}, [node({ id: "a" }), { hostname: "node02", pxe_mac: "aa:bb:cc:dd:ee:02", id: "a" }])), ["machines[1].id"]);
  assert.deepEqual(paths(file({}, [node(), { hostname: "node02", pxe_mac: "AA-BB-CC-DD-EE-01" }])), ["machines[1].pxe_mac"]);
  // An id equal to another machine's MAC-derived name.
  assert.deepEqual(paths(file({}, [node(), { hostname: "node02", pxe_mac: "aa:bb:cc:dd:ee:02", id: "aa-bb-cc-dd-ee-01" }])), ["machines[1].id"]);
});

test("adopt: false needs create_machine and a MAC", () => {
  assert.deepEqual(paths(file({ actions: ["commission"] }, [node({ adopt: false })])), ["machines[0].adopt"]);
  assert.deepEqual(paths(file({}, [{ hostname: "node01", adopt: false }])), ["machines[0].pxe_mac"]);
});

test("network: a static address must lie inside its subnet, be a host address, and be present", () => {
  const net = (itf: Json) => file({ actions: ["create_machine", "configure_network"] }, [node({ network: { interfaces: [itf] } })]);
  const at = "machines[0].network.interfaces[0]";
  assert.deepEqual(paths(net({ name: "eth0", ip_mode: "static", subnet: "10.0.0.0/24", ip_address: "10.0.1.5" })), [`${at}.ip_address`]);
  assert.deepEqual(paths(net({ name: "eth0", ip_mode: "static", subnet: "10.0.0.0/24", ip_address: "10.0.0.255" })), [`${at}.ip_address`]);
  assert.deepEqual(paths(net({ name: "eth0", ip_mode: "static", subnet: "10.0.0.0/24" })), [`${at}.ip_address`]);
  assert.deepEqual(paths(net({ name: "eth0", ip_mode: "dhcp", ip_address: "10.0.0.5" })), [`${at}.ip_address`]);
  assert.deepEqual(paths(net({ name: "eth0", ip_mode: "auto" })), [`${at}.subnet`]);
  assert.deepEqual(paths(net({ name: "eth0", ip_mode: "static", subnet: "10.0.0.5/24", ip_address: "10.0.0.6" })), [`${at}.subnet`]);
  assert.deepEqual(paths(net({ name: "eth0", ip_mode: "static", subnet: "2001:db8::/64", ip_address: "10.0.0.6" })), [`${at}.ip_address`]);
  assert.ok(validateInput(net({ name: "eth0", ip_mode: "static", subnet: "2001:db8::/64", ip_address: "2001:db8::10" })).ok);
  assert.ok(validateInput(net({ name: "eth0", ip_mode: "static", subnet: "10.0.0.0/24", ip_address: "10.0.0.10", default_gateway: true })).ok);
  assert.deepEqual(paths(net({ name: "eth0", ip_mode: "dhcp", default_gateway: true })), [`${at}.default_gateway`]);
});

test("network: bond members unique, in one bond only, no links on members; bad mode named", () => {
  const bonds = (network: Json) => file({ actions: ["create_machine", "configure_network"] }, [node({ network })]);
  assert.deepEqual(paths(bonds({ bonds: [{ name: "bond0", interfaces: ["eth0", "eth0"] }] })), ["machines[0].network.bonds[0].interfaces[1]"]);
  assert.deepEqual(
    paths(bonds({ bonds: [{ name: "bond0", interfaces: ["eth0", "eth1"] }, { name: "bond1", interfaces: ["eth2", "eth1"] }] })),
    ["machines[0].network.bonds[1].interfaces[1]"],
  );
  assert.deepEqual(paths(bonds({ bonds: [{ name: "bond0", interfaces: ["eth0", "eth1"], mode: "lacp" }] })), ["machines[0].network.bonds[0].mode"]);
  assert.deepEqual(
    paths(bonds({ bonds: [{ name: "bond0", interfaces: ["eth0", "eth1"] }], interfaces: [{ name: "eth1", ip_mode: "dhcp" }] })),
    ["machines[0].network.interfaces[0].name"],
  );
  assert.deepEqual(
    paths(bonds({ bonds: [{ name: "bond0", interfaces: ["eth0", "eth1"], mtu: 1500 }], vlans: [{ parent: "bond0", vid: 100, mtu: 9000 }] })),
    ["machines[0].network.vlans[0].mtu"],
  );
  assert.deepEqual(paths(bonds({ vlans: [{ parent: "eth0", vid: 4095 }] })), ["machines[0].network.vlans[0].vid"]);
});

test("network: lacp_rate and xmit_hash_policy are accepted for any mode, with a note where the mode ignores them", () => {
  const w = warningsOf(
    file({ actions: ["create_machine", "configure_network"] }, [
      node({ network: { bonds: [{ name: "bond0", interfaces: ["eth0", "eth1"], mode: "active-backup", lacp_rate: "slow", xmit_hash_policy: "layer2+3" }] } }),
    ]),
  );
  assert.deepEqual(
    w.map((x) => x.split(":")[0]),
    ["machines[0].network.bonds[0].lacp_rate", "machines[0].network.bonds[0].xmit_hash_policy"],
  );
});

test("network: one static address is not given to two machines, nor to every machine inheriting a top-level network", () => {
  const net = { interfaces: [{ name: "eth0", ip_mode: "static", subnet: "10.0.0.0/24", ip_address: "10.0.0.10" }] };
  const two = [node({ network: net }), { hostname: "node02", pxe_mac: "aa:bb:cc:dd:ee:02", network: net }];
  assert.deepEqual(paths(file({ actions: ["create_machine", "configure_network"] }, two)), ["machines[1].network.interfaces[0].ip_address"]);
  const inherit = [node(), { hostname: "node02", pxe_mac: "aa:bb:cc:dd:ee:02" }];
  assert.deepEqual(paths(file({ actions: ["create_machine", "configure_network"], network: net }, inherit)), ["network.interfaces[0].ip_address"]);
});

test("storage: params or layout, sizes checked, rest only last, VG references valid, / mounted", () => {
  const st = (storage: Json) => file({ actions: ["create_machine", "configure_storage"] }, [node({ storage })]);
  const at = "machines[0].storage";
  assert.deepEqual(paths(st({ params: {}, layout: { partitions: [{ size: "rest", fs: "ext4", mount: "/" }] } })), [`${at}.layout`]);
  assert.deepEqual(paths(st({ params: { root_size_g: 0 } })), [`${at}.params.root_size_g`]);
  assert.deepEqual(paths(st({ params: { efi_mb: 1 } })), [`${at}.params.efi_mb`]);
  assert.deepEqual(paths(st({ layout: { partitions: [{ size: "10X", fs: "ext4", mount: "/" }] } })), [`${at}.layout.partitions[0].size`]);
  assert.deepEqual(paths(st({ layout: { partitions: [{ size: 512, fs: "ext4", mount: "/" }] } })), [`${at}.layout.partitions[0].size`]);
  assert.deepEqual(
    paths(st({ layout: { partitions: [{ size: "rest", fs: "ext4", mount: "/" }, { size: "1G", fs: "swap" }] } })),
    [`${at}.layout.partitions[0].size`],
  );
  assert.deepEqual(paths(st({ layout: { partitions: [{ size: "10G", fs: "ext4", mount: "/srv" }] } })), [`${at}.layout`]);
  assert.deepEqual(
    paths(st({ layout: { partitions: [{ size: "1G", fs: "ext4", mount: "/" }, { size: "1G", fs: "ext4", mount: "/" }] } })),
    [`${at}.layout.partitions[1].mount`],
  );
  assert.deepEqual(
    paths(
      st({
        layout: {
          partitions: [{ size: "1G", fs: "ext4", mount: "/boot" }, { size: "rest" }],
          volume_groups: [{ name: "vg0", partitions: [0, 2], logical_volumes: [{ name: "root", size: "rest", fs: "ext4", mount: "/" }] }],
        },
      }),
    ),
    [`${at}.layout.volume_groups[0].partitions[0]`, `${at}.layout.volume_groups[0].partitions[1]`],
  );
  assert.deepEqual(paths(st({ layout: { partitions: [{ size: "1G", fs: "swap", mount: "/swap" }, { size: "rest", fs: "ext4", mount: "/" }] } })), [
    `${at}.layout.partitions[0].mount`,
  ]);
  assert.ok(
    validateInput(
      st({
        device: "nvme0n1",
        layout: {
          partitions: [{ size: "512M", fs: "fat32", mount: "/boot/efi", bootable: true }, { size: "4GiB", fs: "swap" }, { size: "rest" }],
          volume_groups: [{ name: "vg0", partitions: [2], logical_volumes: [{ name: "root", size: "20G", fs: "ext4", mount: "/" }, { name: "data", size: "rest", fs: "xfs", mount: "/data" }] }],
        },
      }),
    ).ok,
  );
});

test("release: secure_erase or quick_erase with wipe_disks false is refused", () => {
  assert.deepEqual(paths(file({ release: { wipe_disks: false, secure_erase: true } })), ["release.secure_erase"]);
  assert.deepEqual(paths(file({ release: { wipe_disks: false } }, [node({ release: { quick_erase: true } })])), ["machines[0].release.quick_erase"]);
});

test("maas_api_key and maas_api_url: format checked, the key never shown", () => {
  const secret = "k3yC0nsumer:t0kenT0ken:s3cretS3cretS3cretS3cret";
  const broken = secret.replace(/:/g, "-");
  const errs = errorsOf(file({ maas_api_key: broken, maas_api_url: `http://u:${broken}@maas:5240/MAAS` }));
  assert.deepEqual(errs.map((e) => e.path).sort(), ["maas_api_key", "maas_api_url"]);
  assert.ok(!JSON.stringify(errs).includes(broken));
  assert.deepEqual(paths(file({ maas_api_url: "ftp://maas/MAAS" })), ["maas_api_url"]);
});

test("power: unknown power types and parameters without a type are refused; values become strings", () => {
  assert.deepEqual(paths(file({}, [node({ power_type: "impi" })])), ["machines[0].power_type"]);
  assert.match(errorsOf(file({}, [node({ power_type: "impi" })]))[0]!.message, /did you mean "ipmi"/);
  assert.deepEqual(paths(file({}, [node({ power_parameters: { power_address: "10.0.0.1" } })])), ["machines[0].power_type"]);
  const r = validateInput(file({}, [node({ power_type: "ipmi", power_parameters: { power_port: 623, power_boot_type: "efi", k_g: true } })]));
  assert.ok(r.ok);
  assert.deepEqual(r.value.machines![0]!.power_parameters, { power_port: "623", power_boot_type: "efi", k_g: "true" });
});

test("architecture: bare arch gets /generic; an hwe kernel in its place is refused", () => {
  const r = validateInput(file({}, [node({ architecture: "arm64" })]));
  assert.ok(r.ok && r.value.machines![0]!.architecture === "arm64/generic");
  assert.deepEqual(paths(file({}, [node({ architecture: "amd64/hwe-22.04" })])), ["machines[0].architecture"]);
});

test("loadInputFile: JSON and YAML by extension, duplicate keys refused, syntax errors located without quoting the text", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "input-"));
  const secret = "abcdefgh:ijklmnop:qrstuvwxyz012345";
  const good = { maas_api_key: secret, ...file() };
  fs.writeFileSync(path.join(dir, "a.json"), JSON.stringify(good));
  fs.writeFileSync(path.join(dir, "a.yaml"), `maas_api_key: ${secret}\nactions: [create_machine, commission, deploy]\nmachines:\n  - hostname: node01\n    pxe_mac: aa:bb:cc:dd:ee:01\n`);
  const a = loadInputFile(path.join(dir, "a.json"));
  const b = loadInputFile(path.join(dir, "a.yaml"));
  assert.ok(a.ok && b.ok);
  assert.deepEqual(JSON.stringify(a.value), JSON.stringify(b.value));

  fs.writeFileSync(path.join(dir, "dup.json"), `{"actions": ["list"], "actions": ["deploy"]}`);
  const dup = loadInputFile(path.join(dir, "dup.json"));
  assert.ok(!dup.ok && /duplicate key actions/.test(dup.errors[0]!.message));
  fs.writeFileSync(path.join(dir, "dup.yaml"), `actions: [list]\nactions: [deploy]\n`);
  assert.equal(loadInputFile(path.join(dir, "dup.yaml")).ok, false);

  fs.writeFileSync(path.join(dir, "bad.json"), `{\n  "maas_api_key": "${secret}"\n  "actions": []\n}`);
  const bad = loadInputFile(path.join(dir, "bad.json"));
  assert.ok(!bad.ok);
  assert.match(bad.errors[0]!.message, /line 3, column 3/);
  fs.writeFileSync(path.join(dir, "bad.yaml"), `maas_api_key: ${secret}\nactions: [list\n  - : x: y`);
  const bady = loadInputFile(path.join(dir, "bad.yaml"));
  assert.ok(!bady.ok);
  for (const r of [bad, bady, dup]) assert.ok(!JSON.stringify(r).includes(secret) && !JSON.stringify(r).includes("qrstuvwxyz012345"));

  assert.equal(loadInputFile(path.join(dir, "missing.json")).ok, false);
  fs.rmSync(dir, { recursive: true });
});

test("parseJson agrees with JSON.parse on valid documents", () => {
  for (const text of ['{"a":[1,2.5,-3e2,true,false,null,"x\\u00e9\\n"],"b":{}}', "[]", ' "s" ', "0"]) {
    const r = parseJson(text);
    assert.ok(r.ok);
    assert.deepEqual(r.value, JSON.parse(text));
  }
  for (const text of ["{", "[1,]", "{'a':1}", "01", '{"a":1}x', ""]) assert.equal(parseJson(text).ok, false, text);
});

test("formatInputErrors prints one `path: message` line per problem", async () => {
  const { formatInputErrors } = await import("../../stacks/input");
  const r = validateInput(file({}, [node({ network: { bonds: [{ name: "bond0", interfaces: ["eth0", "eth1"], mode: "lacp" }] } })]));
  assert.ok(!r.ok);
  assert.match(formatInputErrors(r.errors), /^machines\[0\]\.network\.bonds\[0\]\.mode: "lacp" is not one of/);
});
