/**
 * Validate what is used, tolerate the rest: answers in the shapes MAAS 3.0 to 3.7 send (recorded outside
 * this project, see test/fixtures/maas-answers/README.md for where each came from), served over HTTP to
 * the real client, then the same answers with null in every tolerated field, tolerated fields missing,
 * unknown keys added, and a wrong type in each used field (USED_FIELDS).
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { z, type ZodType } from "zod";
import type * as M from "../../provider/src/maas";
const maas = require(__filename.endsWith(".ts") ? "../../provider/src/maas" : "@maas-automation/provider/dist/maas") as typeof M;

const root = path.resolve(__dirname, __filename.endsWith(".ts") ? "../.." : "../../..");
type Json = Record<string, unknown>;
const fixture = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(root, "test/fixtures/maas-answers", `${name}.json`), "utf8"));
const clone = <T>(v: T): T => structuredClone(v);

/** A region that answers GETs from a path → body table (no auth check: shapes only). */
async function fixtureServer(routes: Record<string, unknown>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const p = (req.url ?? "").replace(/^\/MAAS\/api\/2\.0\//, "").split("?")[0]!;
    if (!(p in routes)) {
      res.writeHead(404, { "content-type": "text/plain" }).end(`No route for ${p}`);
      return;
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(routes[p]));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/MAAS`, close: () => new Promise((r) => server.close(() => r())) };
}

const client = (url: string) => new maas.MaasClient({ apiUrl: url, apiKey: "ck:tk:ts", maxRetries: 1, retryBaseMs: 1, retryCapMs: 1 });

// MAAS 3.1 to 3.7 added these to a machine (api/machines.py DISPLAYED_MACHINE_FIELDS, 3.0.0 against 3.7.3)
const FIELDS_ADDED_BY_3_7 = { enable_hw_sync: false, enable_kernel_crash_dump: false, ephemeral_deploy: false, error_description: "", is_dpu: false, last_sync: null, next_sync: null, parent: null, sync_interval: null };

const machine30 = fixture("maas-3.0.0-machines-deploy") as Json;
const machine37: Json = { ...(fixture("maas-3.7.3-machines-allocate") as Json), ...FIELDS_ADDED_BY_3_7 };
const node37: Json = { ...(fixture("maas-3.7.3-nodes-read-node") as Json), ...FIELDS_ADDED_BY_3_7 };
const goMachine = fixture("gomaasapi-2.0.0-machine") as Json;
const sid = (m: Json) => m.system_id as string;

let srv: Awaited<ReturnType<typeof fixtureServer>>;
let c: M.MaasClient;
before(async () => {
  srv = await fixtureServer({
    "machines/": [machine30, machine37, goMachine],
    [`machines/${sid(node37)}/`]: node37,
    [`nodes/${sid(node37)}/interfaces/`]: fixture("maas-3.7.3-interfaces-read"),
    [`nodes/${sid(node37)}/blockdevices/`]: fixture("maas-3.7.3-block-devs-read"),
    [`nodes/${sid(node37)}/blockdevices/1/partitions/`]: fixture("maas-3.7.3-partitions-read"),
    [`nodes/${sid(node37)}/volume-groups/`]: fixture("maas-3.7.3-vol-groups-read"),
    "nodes/gomaas/interfaces/": [fixture("gomaasapi-2.0.0-interface-nulls")],
    "nodes/gomaas/blockdevices/": fixture("gomaasapi-2.0.0-blockdevices-nulls"),
    "subnets/": [...(fixture("maas-3.0.0-subnets-read") as Json[]), ...(fixture("gomaasapi-2.0.0-subnet") as Json[])],
    "fabrics/": fixture("maas-3.7.3-fabrics-read"),
  });
  c = client(srv.url);
});
after(async () => {
  await c.close();
  await srv.close();
});

test("machines of MAAS 3.0 and 3.7 (with every field 3.7 added) and gomaasapi's recorded machine parse, used fields read", async () => {
  const list = await c.listMachines();
  assert.deepEqual(list.map((m) => m.system_id), [sid(machine30), sid(machine37), sid(goMachine)]);
  assert.equal(list[1]!.zone?.name, "zone-north");
  assert.equal(list[1]!.pool?.name, "default");
  assert.equal(list[1]!.status_name, "Allocated");
  assert.ok(list.every((m) => Array.isArray(m.interface_set) && Array.isArray(m.tag_names)));
  assert.equal((list[1] as Json).is_dpu, false, "unknown keys are kept");
  const one = await c.getMachine(sid(node37));
  assert.equal(one.hostname, node37.hostname);
});

test("interfaces, block devices, partitions and volume groups of MAAS 3.7 parse", async () => {
  const id = sid(node37);
  const ifaces = await c.listInterfaces(id);
  assert.ok(ifaces.length > 0 && ifaces.every((i) => typeof i.id === "number" && Array.isArray(i.links)));
  assert.deepEqual([...new Set(ifaces.map((i) => i.type))].sort(), ["physical", "vlan"]);
  const bond = (await c.getMachine(id)).interface_set.find((i) => i.type === "bond");
  assert.ok(bond && bond.parents.length > 0, "read-node has a bond with its parents");
  assert.ok((await c.listBlockDevices(id)).length > 0);
  assert.ok((await c.listPartitions(id, 1)).length > 0);
  assert.ok((await c.listVolumeGroups(id)).length > 0);
});

test("gomaasapi's answers with nulls parse: null mac_address, vlan, tags, id_path, serial; params a plain string", async () => {
  const [i] = await c.listInterfaces("gomaas");
  assert.equal(i!.mac_address, null);
  assert.equal(i!.vlan, null);
  assert.equal(i!.params, "some params");
  assert.equal(i!.links[0]!.subnet?.cidr, "192.168.100.0/24");
  const [d] = await c.listBlockDevices("gomaas");
  assert.equal(d!.serial, null);
});

test("subnets of MAAS 3.0 and gomaasapi, and fabrics of 3.7 parse", async () => {
  const subnets = await c.listSubnets();
  assert.ok(subnets.length >= 2 && subnets.every((s) => typeof s.cidr === "string"));
  assert.ok((await c.listFabrics()).length > 0);
});

// ---------------------------------------------------------------- the same answers, mutated

type Obj = keyof typeof maas.USED_FIELDS;
const SCHEMAS: Array<[Obj, ZodType, Json]> = [
  ["Machine", maas.MachineSchema, machine37],
  ["Machine", maas.MachineSchema, machine30],
  ["Interface", maas.InterfaceSchema, (fixture("maas-3.7.3-interfaces-read") as Json[])[0]!],
  ["BlockDevice", maas.BlockDeviceSchema, (fixture("maas-3.7.3-block-devs-read") as Json[])[0]!],
  ["Partition", maas.PartitionSchema, (fixture("maas-3.7.3-partitions-read") as Json[])[0]!],
  ["VolumeGroup", maas.VolumeGroupSchema, (fixture("maas-3.7.3-vol-groups-read") as Json[])[0]!],
  ["Subnet", maas.SubnetSchema, (fixture("maas-3.0.0-subnets-read") as Json[])[0]!],
  ["Fabric", maas.FabricSchema, (fixture("maas-3.7.3-fabrics-read") as Json[])[0]!],
];
const ctx = { operation: "read", endpoint: "GET machines/" };
const parse = (schema: ZodType, v: unknown) => maas.parseResponse(schema, v, ctx);

test("null in every tolerated field parses (dns_servers, interface tags, children, discovered, ...)", () => {
  for (const [name, schema, sample] of SCHEMAS) {
    const used = new Set<string>(maas.USED_FIELDS[name]);
    const v = clone(sample);
    for (const k of Object.keys(v)) if (!used.has(k)) v[k] = null;
    assert.doesNotThrow(() => parse(schema, v), `${name} with nulls`);
  }
  const s = clone(SCHEMAS[6]![2]);
  s.dns_servers = null;
  assert.equal((parse(maas.SubnetSchema, s) as Json).dns_servers, null);
});

test("every tolerated field missing parses; unknown keys parse and are kept", () => {
  for (const [name, schema, sample] of SCHEMAS) {
    const used = new Set<string>(maas.USED_FIELDS[name]);
    const v: Json = { future_field: { nested: [1, null] }, another: null };
    for (const [k, x] of Object.entries(sample)) if (used.has(k)) v[k] = x;
    const out = parse(schema, v) as Json;
    assert.deepEqual(out.future_field, { nested: [1, null] }, name);
  }
});

test("a tolerated field of another type reads as undefined instead of failing the answer", () => {
  const m = clone(machine37);
  Object.assign(m, { cpu_count: "4", memory: null, locked: "no", hardware_info: [], default_gateways: "x", boot_interface: 7 });
  const out = parse(maas.MachineSchema, m) as M.Machine;
  assert.equal(out.cpu_count, undefined);
  assert.equal(out.locked, undefined);
  assert.equal(out.boot_interface, undefined);
});

test("bond params of odd shapes parse and are passed through: object, empty string, null, list, number", () => {
  const bond = clone((node37.interface_set as Json[]).find((i) => i.type === "bond")!);
  for (const params of [{ bond_mode: "802.3ad", bond_miimon: "100", extra: null }, "", null, [], 0]) {
    assert.deepEqual((parse(maas.InterfaceSchema, { ...bond, params }) as M.Interface).params, params);
  }
});

function wrongValueFor(v: unknown): unknown {
  return typeof v === "boolean" ? "yes" : true;
}

test("a wrong type in any used field fails with the endpoint, the field path and the type MAAS sent", () => {
  for (const [name, schema, sample] of SCHEMAS) {
    for (const k of maas.USED_FIELDS[name]) {
      if (k === "params" || !(k in sample)) continue;
      const v = clone(sample);
      v[k] = wrongValueFor(v[k]);
      assert.throws(
        () => parse(z.array(schema), [v]),
        (e: unknown) =>
          e instanceof maas.ResponseShapeError &&
          e.field.startsWith(`[0].${k}`) &&
          e.message.includes("GET machines/") &&
          /got (boolean|string)/.test(e.message),
        `${name}.${k}`,
      );
    }
  }
});

test("a wrong type deep in a machine names the whole path and the value", () => {
  const m = clone(machine37);
  ((m.interface_set as Json[])[0]!.links as Json[]).splice(0, 0, { id: "69", mode: "auto" });
  assert.throws(
    () => parse(maas.MachineSchema, m),
    (e: unknown) => e instanceof maas.ResponseShapeError && e.message === `read: unexpected response from GET machines/: field 'interface_set[0].links[0].id' is invalid: expected number, got string ("69")`,
  );
  const missing = clone(machine37);
  delete missing.system_id;
  assert.throws(() => parse(maas.MachineSchema, missing), /field 'system_id' is missing \(expected string\)/);
});
