/**
 * Every JSON example of the original SDK's README (../shared/seed-sdk.md), copied by hand into
 * test/fixtures/seed/: each is accepted and yields the resources of issue 5's mapping — or, for
 * `release` / `delete`, is refused with the message pointing at `pulumi destroy` and the CLI.
 * Fragment-only examples (use cases 1–3, the two network fragments) are completed with a machines
 * list (and actions); their `$comment` says so.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadInputFile, validateInput, type ValidationResult } from "../../stacks/input";
import { planFromInput, type StackPlan } from "../../stacks/plan";
import { repoRoot } from "../../tools/gen-schema";

const dir = path.join(repoRoot(), "test", "fixtures", "seed");
const load = (name: string): ValidationResult => loadInputFile(path.join(dir, name));

function accepted(name: string): StackPlan {
  const r = load(name);
  if (!r.ok) assert.fail(`${name} rejected: ${JSON.stringify(r.errors)}`);
  return planFromInput(r.value);
}

/** Which resources a plan yields, per machine: "key: machine[adopt]+storage+network+deployment". */
function resources(plan: StackPlan): string[] {
  return plan.machines.map(
    (m) =>
      `${m.key}: machine${m.machine.adopt ? "(adopt)" : ""}` +
      (m.storage ? "+storage" : "") +
      (m.network ? "+network" : "") +
      (m.deployment ? "+deployment" : ""),
  );
}

test("every fixture is a copy of a JSON block of seed-sdk.md (no example forgotten)", () => {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".json"));
  // 10 JSON blocks in seed-sdk.md, plus our form of use case 2.
  assert.equal(files.length, 11);
  for (const f of files) {
    const text = fs.readFileSync(path.join(dir, f), "utf8");
    assert.doesNotThrow(() => JSON.parse(text), f);
  }
});

test("quick start: enlists node01 by MAC, sets IPMI power, commissions and deploys jammy", () => {
  const plan = accepted("quickstart.json");
  assert.deepEqual(resources(plan), ["aa-bb-cc-dd-ee-ff: machine+deployment"]);
  const [m] = plan.machines;
  assert.equal(m!.keyKind, "mac");
  assert.equal(m!.machine.pxeMac, "aa:bb:cc:dd:ee:ff");
  assert.equal(m!.machine.architecture, "amd64/generic");
  assert.equal(m!.machine.power?.type, "ipmi");
  assert.deepEqual(m!.machine.power?.parameters.reveal(), { power_address: "10.0.0.100", power_user: "root", power_pass: "password" });
  assert.equal(m!.machine.commissioning.run, true);
  assert.equal(m!.machine.commissioning.timeoutS, 1200);
  assert.equal(m!.deployment?.distroSeries, "jammy");
  assert.equal(m!.deployment?.timeoutS, 1800);
  assert.deepEqual(m!.deployment?.release, { erase: true, secureErase: false, quickErase: false, wait: true, timeoutS: 1800 });
  assert.equal(plan.maasApiUrl, "http://10.81.31.31:5240/MAAS");
  assert.equal(plan.maasApiKey?.reveal(), "consumer:token:secret");
  assert.equal(plan.listMachines, false);
  assert.deepEqual(plan.warnings, []);
});

test("use case 1: machine, the original EFI + LVM layout on /dev/sda, deployment; order warning for configure_storage", () => {
  const plan = accepted("usecase1-full-provisioning.json");
  assert.deepEqual(resources(plan), ["aa-bb-cc-dd-ee-ff: machine+storage+deployment"]);
  const s = plan.machines[0]!.storage!;
  assert.deepEqual(s.disk, { by: "name", name: "sda" });
  assert.equal(s.source, "params");
  assert.deepEqual(s.partitions, [
    { sizeBytes: 512e6, fs: "fat32", mount: "/boot/efi", bootable: true },
    { sizeBytes: 2e9, fs: "xfs", mount: "/boot", bootable: false },
    { sizeBytes: "rest", bootable: false },
  ]);
  assert.deepEqual(s.volumeGroups, [
    {
      name: "vg-main",
      partitions: [2],
      logicalVolumes: [
        { name: "root", sizeBytes: 50e9, fs: "xfs", mount: "/" },
        { name: "home", sizeBytes: 10e9, fs: "xfs", mount: "/home" },
        { name: "var", sizeBytes: 10e9, fs: "xfs", mount: "/var" },
        { name: "var-log", sizeBytes: 10e9, fs: "xfs", mount: "/var/log" },
        { name: "tmp", sizeBytes: 10e9, fs: "xfs", mount: "/tmp" },
      ],
    },
  ]);
  assert.equal(plan.machines[0]!.machine.power?.type, "ipmi");
  assert.equal(plan.warnings.length, 1);
  assert.match(plan.warnings[0]!, /configure_storage is listed before commission/);
});

test("use case 2 as written (release first) is refused, pointing at reprovision, pulumi destroy and the CLI", () => {
  const r = load("usecase2-reprovision.json");
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.deepEqual(r.errors.map((e) => e.path), ["actions[0]"]);
  assert.match(r.errors[0]!.message, /pulumi destroy --target/);
  assert.match(r.errors[0]!.message, /-a release/);
  assert.match(r.errors[0]!.message, /reprovision/);
});

test("use case 2 our way: a reprovision token on the deployment, storage with the default layout on /dev/sda", () => {
  const plan = accepted("usecase2-reprovision-equivalent.json");
  assert.deepEqual(resources(plan), ["node01: machine(adopt)+storage+deployment"]);
  const m = plan.machines[0]!;
  assert.equal(m.deployment?.reprovision, "2025-12-15");
  assert.equal(m.machine.commissioning.run, true);
  assert.equal(m.storage?.volumeGroups[0]?.logicalVolumes.length, 5);
  assert.ok(m.warnings.some((w) => /renaming it replaces/.test(w)));
});

test("use case 3 (release, delete) is refused: both actions named, each pointing at pulumi destroy and the CLI", () => {
  const r = load("usecase3-cleanup.json");
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.deepEqual(r.errors.map((e) => e.path), ["actions[0]", "actions[1]"]);
  assert.match(r.errors[0]!.message, /pulumi destroy --target .*-a release/);
  assert.match(r.errors[1]!.message, /pulumi destroy --target .*-a delete/);
});

test("use case 4: commission only, an existing machine taken over by hostname", () => {
  const plan = accepted("usecase4-commission-only.json");
  assert.deepEqual(resources(plan), ["existing-node: machine(adopt)"]);
  const m = plan.machines[0]!;
  assert.equal(m.keyKind, "hostname");
  assert.equal(m.machine.commissioning.run, true);
  assert.equal(m.machine.commissioning.wait, true);
  assert.equal(m.machine.power, undefined);
  assert.ok(m.warnings.some((w) => /renaming it replaces/.test(w)));
});

test("use case 5: two adopted machines, commissioned and deployed with their own series", () => {
  const plan = accepted("usecase5-multiple-machines.json");
  assert.deepEqual(resources(plan), ["node01: machine(adopt)+deployment", "node02: machine(adopt)+deployment"]);
  assert.deepEqual(
    plan.machines.map((m) => m.deployment?.distroSeries),
    ["jammy", "focal"],
  );
  assert.deepEqual(plan.machines.map((m) => m.names.deployment), ["node01-deployment", "node02-deployment"]);
});

test("network bond example: bond0 over eth0/eth1 in 802.3ad with MTU 9000, LACP fast, layer3+4", () => {
  const plan = accepted("network-bonds.json");
  assert.deepEqual(resources(plan), ["node01: machine(adopt)+network+deployment"]);
  assert.deepEqual(plan.machines[0]!.network, {
    bonds: [
      { name: "bond0", interfaces: ["eth0", "eth1"], mode: "802.3ad", mtu: 9000, miimon: 100, updelay: 0, downdelay: 0, lacpRate: "fast", xmitHashPolicy: "layer3+4" },
    ],
    vlans: [],
    interfaces: [],
  });
});

test("network interface example: bond0 static 10.0.0.10 on 10.0.0.0/24 with MTU 9000, eth2 on DHCP", () => {
  const plan = accepted("network-interfaces.json");
  assert.deepEqual(plan.machines[0]!.network?.interfaces, [
    { name: "bond0", mode: "static", subnet: "10.0.0.0/24", ipAddress: "10.0.0.10", mtu: 9000, defaultGateway: false },
    { name: "eth2", mode: "dhcp", subnet: "192.168.1.0/24", defaultGateway: false },
  ]);
});

test("complete network workflow: create_machine without a MAC takes node01 over, with a warning; bond and static link", () => {
  const plan = accepted("network-complete-workflow.json");
  assert.deepEqual(resources(plan), ["node01: machine(adopt)+network+deployment"]);
  const m = plan.machines[0]!;
  assert.ok(m.warnings.some((w) => /cannot enlist node01/.test(w)));
  assert.equal(m.network?.bonds[0]?.mode, "802.3ad");
  assert.equal(m.network?.bonds[0]?.lacpRate, "fast");
  assert.equal(m.network?.bonds[0]?.xmitHashPolicy, "layer2");
  assert.equal(m.network?.interfaces[0]?.ipAddress, "10.0.0.10");
});

test("configuration reference: single machine with scripts and timeouts; storage unused without configure_storage; release options", () => {
  const plan = accepted("configuration-reference.json");
  assert.deepEqual(resources(plan), ["aa-bb-cc-dd-ee-ff: machine+deployment"]);
  const m = plan.machines[0]!;
  assert.equal(m.source, "machine");
  assert.deepEqual(m.machine.commissioning.scripts, ["update_firmware"]);
  assert.equal(m.machine.commissioning.timeoutS, 1200);
  assert.equal(m.deployment?.release.erase, true);
  assert.equal(m.deployment?.release.wait, true);
  assert.ok(plan.warnings.includes("storage: ignored — configure_storage is not in actions"));
});

test("the fixtures' API key and BMC passwords appear in no message or warning", () => {
  for (const f of fs.readdirSync(dir)) {
    const r = load(f);
    const text = JSON.stringify(r.ok ? [r.warnings, planFromInput(r.value)] : r.errors);
    assert.ok(!text.includes("consumer:token:secret"), f);
    assert.ok(!text.includes('"password"'), f);
  }
  // The validated value prints the key as [secret], too.
  const r = validateInput(JSON.parse(fs.readFileSync(path.join(dir, "quickstart.json"), "utf8")));
  assert.ok(r.ok && JSON.stringify(r.value).includes('"maas_api_key":"[secret]"'));
});
