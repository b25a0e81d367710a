/**
 * IP exhaustion against the simulator over HTTP: MAAS's 503 "No more IPs available in subnet: <cidr>."
 * at deploy is final (one request, IpExhaustedError naming the subnet, the operation and the machine),
 * while any other 503 on the same call is retried through.
 */
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as M from "../../provider/src/maas";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator";
const maas = require(__filename.endsWith(".ts") ? "../../provider/src/maas" : "@maas-automation/provider/dist/maas") as typeof M;

const CIDR = "10.9.0.0/28"; // the simulator hands out .10 to .14 from it: five addresses for six machines
const servers = Array.from({ length: 6 }, (_, i) => ({
  hostname: `rack-${i + 1}`,
  enlisted: true,
  status: "Ready",
  nics: [{ name: "eth0", mac: `52:54:00:09:00:0${i + 1}`, fabric: "fabric-0" }],
}));

let sim: TestSimulator;
let client: M.MaasClient;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "maas-client-ips-"));
  const inventory = join(dir, "inventory.json");
  writeFileSync(inventory, JSON.stringify({ servers, subnets: [{ cidr: CIDR, gateway: "10.9.0.1", fabric: "fabric-0", vid: 0 }] }));
  sim = await startTestSimulator({ speed: 3000, inventory });
  client = new maas.MaasClient({ apiUrl: sim.url, apiKey: sim.apiKey, retryBaseMs: 10, retryCapMs: 50, pollIntervalMs: 50 });
});
after(async () => {
  await client.close();
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

async function idOf(hostname: string): Promise<string> {
  const [m] = await client.listMachines({ hostname: [hostname] });
  assert.ok(m, hostname);
  return m.system_id;
}

async function deployCount(systemId: string): Promise<number> {
  const rows = (await sim.stats()).requests.filter((r) => r.method === "POST" && r.route === "machines/{id}/?op=deploy" && r.systemId === systemId);
  return rows.reduce((a, r) => a + r.count, 0);
}

test("a 503 that is not exhaustion is retried, and the deploy goes through", async () => {
  const sid = await idOf("rack-1");
  await sim.resetStats();
  await sim.setFaults({ rules: [{ kind: "error", status: 503, body: "Unable to connect to any rack controller.", method: "POST", route: "machines/{id}/?op=deploy", nth: [1, 2] }] });
  const m = await client.deploy(sid);
  await sim.setFaults({});
  assert.ok(["Deploying", "Deployed"].includes(m.status_name), m.status_name);
  assert.equal(await deployCount(sid), 3, "two 503s, then the accepted deploy");
});

test("the deploy that finds the subnet exhausted fails at once with IpExhaustedError naming the subnet, the operation and the machine", async () => {
  for (let i = 2; i <= 5; i++) await client.deploy(await idOf(`rack-${i}`));
  const sixth = await idOf("rack-6");
  await sim.resetStats();
  const err = await client.deploy(sixth).then(
    () => assert.fail("the sixth deploy should have failed"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof maas.IpExhaustedError, String(err));
  assert.equal(err.subnetCidr, CIDR);
  assert.equal(err.httpStatus, 503);
  assert.equal(err.maasMessage, `No more IPs available in subnet: ${CIDR}.`);
  assert.match(err.message, new RegExp(`^deploy rack-6 \\(${sixth}\\): no free IP address in subnet 10\\.9\\.0\\.0/28`));
  assert.equal(await deployCount(sixth), 1, "exhaustion is final: sent once, never retried");
  const m = await client.getMachine(sixth);
  assert.equal(m.status_name, "Allocated", "MAAS left the machine Allocated");
});

test("every exhaustion text of MAAS 3.0 to 3.7 maps to IpExhaustedError; other 503 texts stay transient", () => {
  const ctx = { operation: "deploy", systemId: "abc123", hostname: "node01" };
  const res = (text: string) => ({ status: 503, headers: { "content-type": "text/plain" }, text });
  const subnet = maas.mapHttpError(res("No more IPs available in subnet: 2001:db8::/64."), ctx);
  assert.ok(subnet instanceof maas.IpExhaustedError);
  assert.equal(subnet.subnetCidr, "2001:db8::/64");
  for (const text of ["abc123: Unable to allocate static IP due to address exhaustion.", "Failed to allocate the required AUTO IP addresses"]) {
    const e = maas.mapHttpError(res(text), ctx);
    assert.ok(e instanceof maas.IpExhaustedError, text);
    assert.equal(e.subnetCidr, undefined);
    assert.match(e.message, /^deploy node01 \(abc123\): no free IP address in the machine's subnets/);
  }
  const other = maas.mapHttpError(res("Unable to connect to any rack controller."), ctx);
  assert.ok(other instanceof maas.TransportError && other.transient);
});
