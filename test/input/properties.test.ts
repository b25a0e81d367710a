/**
 * Property-based tests of the input file (issue 8, "Bad input"): arbitrary valid files are
 * accepted and planned; files mutated in one place are refused with a message naming the exact
 * JSON path of the mutation; the API key never appears in any message.
 *
 * The mutations are driven by the committed stacks/input.schema.json: which keys an object
 * requires, which objects are closed to unknown keys, which JSON types a value may have. The
 * valid-file generator is written by hand (the cross-field rules are not in a JSON Schema), and a
 * coverage test proves it exercises every property the schema declares.
 */
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import fc from "fast-check";
import { validateInput, BOND_MODES, POWER_TYPES, FS_TYPES, XMIT_HASH_POLICIES, formatPath } from "../../stacks/input";
import { planFromInput } from "../../stacks/plan";
import { SCHEMA_PATH } from "../../tools/gen-schema";

const RUNS = Number(process.env.INPUT_PROPERTY_RUNS ?? 300);
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
type Seg = string | number;

// ---------------------------------------------------------------------------------------------
// The JSON Schema, walked along data paths
// ---------------------------------------------------------------------------------------------

const SCHEMA = JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")) as Obj;
type Node = Obj;

function deref(n: Node): Node[] {
  if (typeof n.$ref === "string") {
    const name = n.$ref.replace("#/$defs/", "");
    return deref((SCHEMA.$defs as Obj)[name] as Node);
  }
  if (Array.isArray(n.anyOf)) return (n.anyOf as Node[]).flatMap(deref);
  return [n];
}

/** The schema nodes (with a stable pointer each) that describe the value at `p`. */
function nodesAt(p: readonly Seg[]): { node: Node; ptr: string }[] {
  // A node that is one of the $defs is named by it, whichever path reached it.
  const named = (xs: { node: Node; ptr: string }[]) =>
    xs.map(({ node, ptr }) => {
      const def = Object.entries(SCHEMA.$defs as Obj).find(([, d]) => d === node);
      return { node, ptr: def ? `$defs/${def[0]}` : ptr };
    });
  let cur = named(deref(SCHEMA).map((node) => ({ node, ptr: "#" })));
  for (const seg of p) {
    const next: { node: Node; ptr: string }[] = [];
    for (const { node, ptr } of cur) {
      if (typeof seg === "number" && node.items) next.push(...deref(node.items as Node).map((n) => ({ node: n, ptr: `${ptr}/items` })));
      if (typeof seg === "string") {
        const props = node.properties as Obj | undefined;
        if (props && seg in props) next.push(...deref(props[seg] as Node).map((n) => ({ node: n, ptr: `${ptr}/${seg}` })));
        else if (node.additionalProperties && typeof node.additionalProperties === "object")
          next.push(...deref(node.additionalProperties as Node).map((n) => ({ node: n, ptr: `${ptr}/*` })));
      }
    }
    cur = named(next);
  }
  return cur;
}

function acceptedTypes(nodes: Node[]): Set<string> {
  const out = new Set<string>();
  for (const n of nodes) {
    const t = n.type;
    if (typeof t === "string") out.add(t);
    if (Array.isArray(t)) t.forEach((x) => out.add(String(x)));
    if (Array.isArray(n.enum)) (n.enum as Json[]).forEach((v) => out.add(typeof v));
  }
  if (out.has("number")) out.add("integer");
  return out;
}

/** Every (schema object, property) pair the schema declares. */
function allSchemaProperties(): Set<string> {
  const out = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (n: Node, ptr: string) => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const d of deref(n)) {
      const def = Object.entries(SCHEMA.$defs as Obj).find(([, x]) => x === d);
      const here = def ? `$defs/${def[0]}` : ptr;
      const props = d.properties as Obj | undefined;
      if (props)
        for (const [k, v] of Object.entries(props)) {
          out.add(`${here}.${k}`);
          visit(v as Node, `${here}/${k}`);
        }
      if (d.items) visit(d.items as Node, `${here}/items`);
      if (d.additionalProperties && typeof d.additionalProperties === "object") visit(d.additionalProperties as Node, `${here}/*`);
    }
  };
  visit(SCHEMA, "#");
  return out;
}

/** Every path in a document, with the value there. */
function paths(doc: Json, at: Seg[] = []): { p: Seg[]; v: Json }[] {
  const here = at.length ? [{ p: at, v: doc }] : [];
  if (Array.isArray(doc)) return [...here, ...doc.flatMap((x, i) => paths(x, [...at, i]))];
  if (doc && typeof doc === "object") return [...here, ...Object.entries(doc).flatMap(([k, x]) => paths(x, [...at, k]))];
  return here;
}

function setAt(doc: Json, p: readonly Seg[], value: Json | undefined): Json {
  const copy = structuredClone(doc) as Json;
  let cur = copy as Obj & Json[];
  for (const seg of p.slice(0, -1)) cur = cur[seg as never] as Obj & Json[];
  const last = p[p.length - 1]!;
  if (value === undefined) delete cur[last as never];
  else (cur as Record<Seg, Json>)[last] = value;
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Valid files
// ---------------------------------------------------------------------------------------------

const alnum = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"), minLength: min, maxLength: max });
/** A MAAS-shaped API key: 18:18:32 characters, as MAAS issues them. */
const apiKeyArb = fc.tuple(alnum(18, 18), alnum(18, 18), alnum(32, 32)).map(([a, b, c]) => `${a}:${b}:${c}`);
const MACHINE_ACTIONS = ["create_machine", "find_machine", "set_power", "set_bios", "set_boot_order", "commission", "configure_storage", "configure_network", "deploy"];

const sizeArb = fc.oneof(
  fc.constantFrom("512M", "1G", "2G", "1.5G", "4GiB", "100G", " 8G ", "20000M", "1T"),
  fc.integer({ min: 4 * 1024 * 1024, max: 2 ** 40 }),
);
const macText = (i: number) =>
  fc.constantFrom(0, 1, 2, 3).map((form) => {
    const hex = `a0b1c2d3e4${i.toString(16).padStart(2, "0")}`;
    const pairs = hex.match(/../g)!;
    return [pairs.join(":").toUpperCase(), pairs.join("-"), `${hex.slice(0, 4)}.${hex.slice(4, 8)}.${hex.slice(8)}`, hex][form]!;
  });
const stringMapArb = (keys: string[]) =>
  fc.dictionary(fc.constantFrom(...keys), fc.oneof(alnum(1, 12), fc.integer({ min: 0, max: 65535 }), fc.boolean()), { maxKeys: keys.length }) as fc.Arbitrary<Obj>;

const paramsArb = fc.record(
  {
    efi_mb: fc.constantFrom(0, 256, 512, 1024),
    boot_size_g: fc.constantFrom(0, 1, 2, 2.5),
    root_size_g: fc.constantFrom(1, 20, 50, 100.5),
    home_size_g: fc.constantFrom(0, 10, 20),
    var_size_g: fc.constantFrom(0, 10),
    var_log_size_g: fc.constantFrom(0, 10),
    tmp_size_g: fc.constantFrom(0, 5, 10),
  },
  { requiredKeys: [] },
);
const layoutArb = fc
  .record({
    efi: fc.boolean(),
    swap: fc.option(sizeArb, { nil: undefined }),
    lvm: fc.boolean(),
    rootFs: fc.constantFrom("ext4", "xfs", "btrfs"),
    extraLv: fc.boolean(),
    restLast: fc.boolean(),
    size: sizeArb,
  })
  .map(({ efi, swap, lvm, rootFs, extraLv, restLast, size }) => {
    const partitions: Obj[] = [];
    if (efi) partitions.push({ size: "512M", fs: "fat32", mount: "/boot/efi", bootable: true });
    if (swap !== undefined) partitions.push({ size: swap, fs: "swap" });
    if (!lvm) {
      partitions.push({ size: restLast ? "rest" : size, fs: rootFs, mount: "/" });
      return { partitions } as Obj;
    }
    partitions.push({ size: restLast ? "rest" : size });
    const lvs: Obj[] = [{ name: "root", size: "20G", fs: rootFs, mount: "/" }];
    if (extraLv) lvs.push({ name: "data", size: restLast ? "rest" : "10G", fs: "xfs", mount: "/srv/data" });
    return { partitions, volume_groups: [{ name: "vg0", partitions: [partitions.length - 1], logical_volumes: lvs }] } as Obj;
  });
const storageArb = fc
  .record(
    {
      device: fc.constantFrom("/dev/sda", "sda", "nvme0n1", "serial:S3Z9NB0K", "WD-WCC4N1234567", "name:sdb"),
      form: fc.constantFrom("params", "layout", "none"),
      params: paramsArb,
      layout: layoutArb,
    },
    { requiredKeys: ["form", "params", "layout"] },
  )
  .map(({ device, form, params, layout }) => {
    const s: Obj = {};
    if (device !== undefined) s.device = device;
    if (form === "params") s.params = params as Obj;
    if (form === "layout") s.layout = layout;
    return s;
  });

/** A network for machine `i`; `statics` false keeps static links out (a shared top-level network). */
const networkArb = (i: number, statics: boolean) =>
  fc
    .record({
      bonds: fc.array(
        fc.record(
          {
            mode: fc.constantFrom(...BOND_MODES),
            mtu: fc.constantFrom(1500, 9000),
            miimon: fc.integer({ min: 0, max: 1000 }),
            updelay: fc.integer({ min: 0, max: 1000 }),
            downdelay: fc.integer({ min: 0, max: 1000 }),
            lacp_rate: fc.constantFrom("fast", "slow"),
            xmit_hash_policy: fc.constantFrom(...XMIT_HASH_POLICIES),
            third: fc.boolean(),
          },
          { requiredKeys: ["third"] },
        ),
        { maxLength: 2 },
      ),
      vlans: fc.array(fc.record({ onBond: fc.boolean(), mtu: fc.option(fc.constant(1500), { nil: undefined }) }), { maxLength: 2 }),
      links: fc.array(
        fc.record({
          mode: fc.constantFrom(...(statics ? ["static", "dhcp", "auto", "link_up"] : ["dhcp", "auto", "link_up"])),
          target: fc.constantFrom("bond", "vlan", "plain"),
          host: fc.integer({ min: 1, max: 254 }),
          withSubnet: fc.boolean(),
          mtu: fc.option(fc.constantFrom(1500, 9000), { nil: undefined }),
          gateway: fc.boolean(),
        }),
        { maxLength: 3 },
      ),
      v6: fc.boolean(),
    })
    .map(({ bonds, vlans, links, v6 }) => {
      const bondObjs: Obj[] = bonds.map((b, k) => {
        const { third, ...rest } = b;
        return { name: `bond${k}`, interfaces: [`eth${3 * k}`, `eth${3 * k + 1}`, ...(third ? [`eth${3 * k + 2}`] : [])], ...rest } as Obj;
      });
      const vlanObjs: Obj[] = vlans.map((v, k) => ({
        parent: v.onBond && bondObjs.length ? "bond0" : "eno1",
        vid: 100 + k,
        ...(v.mtu !== undefined && { mtu: v.mtu }),
      }));
      let gatewayTaken = false;
      const linkObjs: Obj[] = links.map((l, j) => {
        const name =
          l.target === "bond" && bondObjs.length ? "bond0" : l.target === "vlan" && vlanObjs.length ? `${vlanObjs[0]!.parent}.${vlanObjs[0]!.vid}` : `eno${j + 2}`;
        const subnet = v6 && j === 0 ? `2001:db8:${i}:${j}::/64` : `10.${i}.${j}.0/24`;
        const ip = v6 && j === 0 ? `2001:db8:${i}:${j}::${l.host.toString(16)}` : `10.${i}.${j}.${l.host}`;
        const link: Obj = { name, ip_mode: l.mode };
        if (l.mode === "static" || l.mode === "auto" || l.withSubnet || j > 0) link.subnet = subnet;
        if (l.mode === "static") link.ip_address = ip;
        if (l.mtu !== undefined && /^eno\d+$/.test(name)) link.mtu = l.mtu;
        if (l.gateway && !gatewayTaken && (l.mode === "static" || l.mode === "auto")) {
          link.default_gateway = true;
          gatewayTaken = true;
        } else if (l.gateway) link.default_gateway = false;
        return link;
      });
      const net: Obj = {};
      if (bondObjs.length || vlanObjs.length || linkObjs.length === 0) net.bonds = bondObjs;
      if (vlanObjs.length) net.vlans = vlanObjs;
      if (linkObjs.length) net.interfaces = linkObjs;
      return net;
    });

const releaseArb = fc.record(
  { wipe_disks: fc.boolean(), secure_erase: fc.boolean(), quick_erase: fc.boolean(), wait_release: fc.boolean() },
  { requiredKeys: [] },
);

const machineArb = (i: number) =>
  fc.record(
    {
      id: fc.constant(`m${i}-x`),
      hostname: fc.constantFrom(`node${i}`, `Node-${i}`, `rack1-u${i}`),
      pxe_mac: macText(i),
      architecture: fc.constantFrom("amd64", "amd64/generic", "arm64/generic", "ppc64el"),
      power_type: fc.constantFrom(...POWER_TYPES),
      power_parameters: stringMapArb(["power_address", "power_user", "power_pass", "power_port", "power_boot_type"]),
      distro_series: fc.constantFrom("jammy", "ubuntu/noble", "22.04", "focal"),
      hwe_kernel: fc.constantFrom("hwe-22.04", "ga-22.04", "hwe-24.04-edge"),
      user_data: fc.string({ maxLength: 40 }),
      commissioning_scripts: fc.array(alnum(1, 10), { maxLength: 3 }),
      testing_scripts: fc.array(alnum(1, 10), { maxLength: 3 }),
      enable_ssh: fc.boolean(),
      skip_networking: fc.boolean(),
      skip_storage: fc.boolean(),
      wait_commissioning: fc.boolean(),
      commission_timeout: fc.integer({ min: 1, max: 604800 }),
      wait_deployment: fc.boolean(),
      deploy_timeout: fc.integer({ min: 1, max: 604800 }),
      wait_release: fc.boolean(),
      release_timeout: fc.integer({ min: 1, max: 604800 }),
      adopt: fc.boolean(),
      bios: stringMapArb(["boot_mode", "sriov", "hyperthreading", "vt_d"]),
      boot_disk: fc.constantFrom("/dev/sda", "sdb", "serial:XYZ123"),
      reprovision: alnum(1, 20),
      storage: storageArb,
      network: networkArb(i, true),
      release: releaseArb,
    },
    { requiredKeys: ["hostname"] },
  );

/** Make a generated file satisfy the cross-field rules (the ones a JSON Schema cannot say). */
function repair(file: Obj): Obj {
  const actions = file.actions as string[];
  const has = (a: string) => actions.includes(a);
  const listOnly = actions.every((a) => a === "list");
  const machines = (file.machines ?? (file.machine ? [file.machine] : [])) as Obj[];
  const fixRelease = (r: Obj | undefined) => {
    if (!r) return;
    if (has("deploy")) delete r.wait_release;
  };
  fixRelease(file.release as Obj | undefined);
  const topWipeFalse = (file.release as Obj | undefined)?.wipe_disks === false;
  if (topWipeFalse) Object.assign(file.release as Obj, { secure_erase: false, quick_erase: false });
  for (const m of machines) {
    if (m.adopt === false && (!has("create_machine") || has("find_machine"))) delete m.adopt;
    if (m.adopt === false && m.pxe_mac === undefined) m.pxe_mac = `aa:00:00:00:00:${(machines.indexOf(m) + 16).toString(16)}`;
    if (has("set_boot_order") && m.boot_disk === undefined) m.boot_disk = "sda";
    if (m.wait_commissioning === false && (has("deploy") || has("configure_storage") || has("configure_network"))) m.wait_commissioning = true;
    if (has("deploy")) delete m.wait_release;
    const ownRelease = m.release as Obj | undefined;
    if (m.wait_release !== undefined && ownRelease?.wait_release !== undefined && m.wait_release !== ownRelease.wait_release) delete m.wait_release;
    fixRelease(m.release as Obj | undefined);
    const r = m.release as Obj | undefined;
    const wipeFalse = r?.wipe_disks === false || (r?.wipe_disks === undefined && topWipeFalse);
    if (r && wipeFalse) Object.assign(r, { secure_erase: false, quick_erase: false });
    if (m.power_parameters && !m.power_type) m.power_type = "ipmi";
  }
  if (!listOnly && machines.length === 0) file.machines = [{ hostname: "fallback" }];
  return file;
}

const fileArb: fc.Arbitrary<Obj> = fc
  .record({
    actions: fc.oneof(
      { weight: 1, arbitrary: fc.constant(["list"]) },
      { weight: 9, arbitrary: fc.tuple(fc.boolean(), fc.shuffledSubarray(MACHINE_ACTIONS, { minLength: 1 })).map(([l, a]) => (l ? ["list", ...a] : a)) },
    ),
    count: fc.integer({ min: 1, max: 4 }),
    single: fc.boolean(),
    key: fc.option(apiKeyArb, { nil: undefined }),
    url: fc.option(fc.constantFrom("http://10.0.0.1:5240/MAAS", "https://maas.example.com:5443/MAAS/"), { nil: undefined }),
    schema: fc.option(fc.constant("./stacks/input.schema.json"), { nil: undefined }),
    comment: fc.option(fc.oneof(fc.string(), fc.array(fc.string(), { maxLength: 2 })), { nil: undefined }),
    storage: fc.option(storageArb, { nil: undefined }),
    network: fc.option(networkArb(250, false), { nil: undefined }),
    release: fc.option(releaseArb, { nil: undefined }),
  })
  .chain((top) =>
    fc.tuple(fc.constant(top), fc.tuple(...Array.from({ length: top.count }, (_, i) => machineArb(i + 1)))),
  )
  .map(([top, machines]) => {
    const file: Obj = { actions: [...top.actions] };
    if (top.key !== undefined) file.maas_api_key = top.key;
    if (top.url !== undefined) file.maas_api_url = top.url;
    if (top.schema !== undefined) file.$schema = top.schema;
    if (top.comment !== undefined) file.$comment = top.comment;
    if (top.storage !== undefined) file.storage = top.storage;
    if (top.network !== undefined) file.network = top.network;
    if (top.release !== undefined) file.release = top.release;
    if (top.single && machines.length === 1) file.machine = machines[0] as Obj;
    else file.machines = machines as Obj[];
    return repair(structuredClone(file));
  });

function entriesOf(file: Obj): { m: Obj; at: Seg[] }[] {
  if (Array.isArray(file.machines)) return (file.machines as Obj[]).map((m, i) => ({ m, at: ["machines", i] }));
  if (file.machine) return [{ m: file.machine as Obj, at: ["machine"] }];
  return [];
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

test("the valid-file generator exercises every property the JSON Schema declares", () => {
  const declared = allSchemaProperties();
  const used = new Set<string>();
  for (const doc of fc.sample(fileArb, { numRuns: 400, seed: 42 }))
    for (const { p } of paths(doc)) {
      const last = p[p.length - 1];
      if (typeof last !== "string") continue;
      for (const { ptr } of nodesAt(p.slice(0, -1))) used.add(`${ptr}.${last}`);
    }
  const missing = [...declared].filter((k) => !used.has(k));
  assert.deepEqual(missing, []);
});

test("arbitrary valid files are accepted and planned: one MachinePlan per machine, resources as the actions say", () => {
  fc.assert(
    fc.property(fileArb, (file) => {
      const r = validateInput(file);
      if (!r.ok) throw new Error(`rejected: ${JSON.stringify(r.errors)}\n${JSON.stringify(file)}`);
      const plan = planFromInput(r.value);
      const actions = file.actions as string[];
      const listOnly = actions.every((a) => a === "list");
      const entries = entriesOf(file);
      assert.equal(plan.listMachines, actions.includes("list"));
      assert.equal(plan.machines.length, listOnly ? 0 : entries.length);
      assert.equal(new Set(plan.machines.map((m) => m.key)).size, plan.machines.length);
      plan.machines.forEach((mp, i) => {
        const m = entries[i]!.m;
        assert.equal(mp.source, formatPath(entries[i]!.at));
        assert.equal(mp.hostname, m.hostname);
        assert.equal(!!mp.storage, actions.includes("configure_storage") && !!(m.storage ?? file.storage));
        assert.equal(!!mp.network, actions.includes("configure_network") && !!(m.network ?? file.network));
        assert.equal(!!mp.deployment, actions.includes("deploy"));
        assert.equal(mp.keyKind, m.id !== undefined ? "id" : m.pxe_mac !== undefined ? "mac" : "hostname");
        if (mp.keyKind === "mac") assert.match(mp.key, /^[0-9a-f]{2}(-[0-9a-f]{2}){5}$/);
        if (!mp.machine.adopt) assert.ok(mp.machine.pxeMac);
        for (const part of mp.storage?.partitions ?? []) assert.ok(part.sizeBytes === "rest" || part.sizeBytes >= 4 * 1024 * 1024);
      });
      const key = file.maas_api_key as string | undefined;
      if (key) assert.ok(!JSON.stringify([r.warnings, plan]).includes(key.split(":")[2]!));
    }),
    { numRuns: RUNS },
  );
});

/** A mutation: the mutated file and the path the validator must name. */
interface Mutation {
  kind: string;
  doc: Obj;
  path: string;
}

const pick = <T>(xs: T[], r: number): T => xs[Math.floor(r * xs.length) % xs.length]!;

function wrongType(doc: Obj, r1: number): Mutation | undefined {
  const candidates = paths(doc).filter(({ p }) => nodesAt(p).length > 0);
  if (!candidates.length) return undefined;
  const { p } = pick(candidates, r1);
  const ok = acceptedTypes(nodesAt(p).map((x) => x.node));
  const replacements: [string, Json][] = [
    ["string", "wrong-type"],
    ["number", 7.5],
    ["boolean", true],
    ["object", { x: 1 }],
    ["array", [1]],
    ["null", null],
  ];
  const bad = replacements.filter(([t]) => !ok.has(t));
  const [, value] = pick(bad, r1 * 7.31 - Math.floor(r1 * 7.31));
  return { kind: "wrong type", doc: setAt(doc, p, value) as Obj, path: formatPath(p) };
}

function missingRequired(doc: Obj, r1: number): Mutation | undefined {
  const candidates: Seg[][] = [];
  for (const { p, v } of [{ p: [] as Seg[], v: doc as Json }, ...paths(doc)]) {
    if (!v || typeof v !== "object" || Array.isArray(v)) continue;
    for (const { node } of nodesAt(p))
      for (const k of (node.required as string[] | undefined) ?? []) if (k in v) candidates.push([...p, k]);
  }
  if (!candidates.length) return undefined;
  const p = pick(candidates, r1);
  return { kind: "missing required", doc: setAt(doc, p, undefined) as Obj, path: formatPath(p) };
}

function unknownKey(doc: Obj, r1: number, name: string): Mutation | undefined {
  const candidates: Seg[][] = [];
  for (const { p, v } of [{ p: [] as Seg[], v: doc as Json }, ...paths(doc)]) {
    if (!v || typeof v !== "object" || Array.isArray(v)) continue;
    if (nodesAt(p).some(({ node }) => node.additionalProperties === false && !(name in ((node.properties as Obj) ?? {})))) candidates.push(p);
  }
  const p = pick(candidates, r1);
  return { kind: "unknown key", doc: setAt(doc, [...p, name], "x") as Obj, path: formatPath([...p, name]) };
}

function machineOf(doc: Obj, r1: number): Seg[] | undefined {
  const entries = entriesOf(doc);
  return entries.length ? pick(entries, r1).at : undefined;
}

function badMac(doc: Obj, r1: number, mac: string): Mutation | undefined {
  const at = machineOf(doc, r1);
  if (!at) return undefined;
  return { kind: "bad MAC", doc: setAt(doc, [...at, "pxe_mac"], mac) as Obj, path: formatPath([...at, "pxe_mac"]) };
}

function staticOutside(doc: Obj, r1: number, outside: string): Mutation | undefined {
  const at = machineOf(doc, r1);
  if (!at) return undefined;
  const net = { interfaces: [{ name: "eth7", ip_mode: "static", subnet: "10.200.0.0/24", ip_address: outside }] };
  return { kind: "static IP outside subnet", doc: setAt(doc, [...at, "network"], net) as Obj, path: formatPath([...at, "network", "interfaces", 0, "ip_address"]) };
}

function badBondMode(doc: Obj, r1: number, mode: string): Mutation | undefined {
  const at = machineOf(doc, r1);
  if (!at) return undefined;
  const net = { bonds: [{ name: "bond0", interfaces: ["eth0", "eth1"], mode }] };
  return { kind: "bad bond mode", doc: setAt(doc, [...at, "network"], net) as Obj, path: formatPath([...at, "network", "bonds", 0, "mode"]) };
}

const badMacArb = fc.oneof(
  fc.constantFrom("aa:bb:cc:dd:ee", "aa:bb:cc:dd:ee:ff:00", "gg:bb:cc:dd:ee:ff", "aabb:ccdd:eeff", "", "aa bb cc dd ee ff"),
  alnum(1, 11),
);
const outsideIpArb = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
  .filter(([a, b]) => !(a === 10 && b === 200))
  .map((q) => q.join("."));
const badModeArb = fc.oneof(fc.constantFrom("lacp", "802.3AD", "round-robin", "active_backup", "bond"), alnum(1, 12)).filter((m) => !(BOND_MODES as readonly string[]).includes(m));
const unknownNameArb = fc.oneof(fc.constantFrom("hostnme", "distro", "pxe-mac", "wipe", "mode_", "$ref"), alnum(1, 10).map((s) => `x_${s}`));

test("a file mutated in one place is refused, naming the JSON path of the mutation; the API key never shows", () => {
  const kinds = new Map<string, number>();
  fc.assert(
    fc.property(
      fileArb,
      fc.constantFrom("wrong type", "missing required", "unknown key", "bad MAC", "static IP outside subnet", "bad bond mode"),
      fc.double({ min: 0, max: 0.999999, noNaN: true }),
      apiKeyArb,
      badMacArb,
      outsideIpArb,
      badModeArb,
      unknownNameArb,
      (file, kind, r1, key, mac, ip, mode, name) => {
        const base = { ...file, maas_api_key: key };
        const m =
          kind === "wrong type"
            ? wrongType(base, r1)
            : kind === "missing required"
              ? missingRequired(base, r1)
              : kind === "unknown key"
                ? unknownKey(base, r1, name)
                : kind === "bad MAC"
                  ? badMac(base, r1, mac)
                  : kind === "static IP outside subnet"
                    ? staticOutside(base, r1, ip)
                    : badBondMode(base, r1, mode);
        fc.pre(m !== undefined);
        kinds.set(m!.kind, (kinds.get(m!.kind) ?? 0) + 1);
        const r = validateInput(m!.doc);
        if (r.ok) throw new Error(`${m!.kind} at ${m!.path} accepted:\n${JSON.stringify(m!.doc)}`);
        const named = r.errors.some((e) => e.path === m!.path);
        if (!named) throw new Error(`${m!.kind} at ${m!.path}: errors name ${JSON.stringify(r.errors)}`);
        const text = JSON.stringify(r.errors);
        assert.ok(!text.includes(key) && !key.split(":").some((part) => text.includes(part)), "the API key appears in a message");
      },
    ),
    { numRuns: RUNS * 2 },
  );
  assert.equal(kinds.size, 6, `every kind of mutation ran: ${JSON.stringify([...kinds])}`);
});

test("a malformed API key, wherever it sits, is never echoed", () => {
  fc.assert(
    fc.property(fileArb, apiKeyArb, fc.constantFrom("maas_api_key", "maas_api_url", "machine_key", "pxe_mac", "hostname"), (file, key, where) => {
      const broken = key.replace(/:/g, where === "maas_api_key" ? "::" : ":");
      const doc = structuredClone(file);
      if (where === "pxe_mac" || where === "hostname") {
        const entries = entriesOf(doc);
        fc.pre(entries.length > 0);
        entries[0]!.m[where] = broken;
      } else doc[where] = broken;
      doc.maas_api_key = where === "maas_api_key" ? broken : key;
      const r = validateInput(doc);
      const text = JSON.stringify(r.ok ? r.warnings : r.errors);
      for (const part of key.split(":")) assert.ok(!text.includes(part));
    }),
    { numRuns: RUNS },
  );
});

test("the validator never throws, whatever JSON it is given", () => {
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue(), fileArb.chain((f) => fc.jsonValue().map((v) => ({ ...f, machines: [v] })))), (v) => {
      const r = validateInput(v);
      if (!r.ok) assert.ok(r.errors.length > 0 && r.errors.every((e) => typeof e.path === "string" && e.message.length > 0));
    }),
    { numRuns: RUNS },
  );
});

test("FS types in the schema are the ones the layout generator may use", () => {
  assert.ok(["ext4", "xfs", "btrfs", "fat32", "swap"].every((f) => (FS_TYPES as readonly string[]).includes(f)));
});
