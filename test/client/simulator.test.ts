/**
 * The client against the MAAS simulator over HTTP with its faults on. Outcomes are asserted from the
 * simulator's own statistics (/_sim/stats), never from the client's counters.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type * as M from "../../provider/src/maas";
import { startTestSimulator, type TestSimulator, type FaultSpec } from "../helpers/simulator";
// Under tsx the sources run directly; compiled (dist/test/client) the provider's own build is used.
const maas = require(__filename.endsWith(".ts") ? "../../provider/src/maas" : "@maas-automation/provider/dist/maas") as typeof M;
const { MaasClient } = maas;

/** Fast retries so fault tests take seconds; Retry-After (10 s from the simulator) is bounded by retryCapMs. */
function clientFor(sim: TestSimulator, extra: Partial<M.MaasClientOptions> = {}) {
  return new MaasClient({ apiUrl: sim.url, apiKey: sim.apiKey, retryBaseMs: 20, retryCapMs: 100, pollIntervalMs: 100, ...extra });
}

async function withSim(opts: Parameters<typeof startTestSimulator>[0], fn: (sim: TestSimulator, c: M.MaasClient) => Promise<void>, extra: Partial<M.MaasClientOptions> = {}) {
  const sim = await startTestSimulator(opts);
  const c = clientFor(sim, extra);
  try {
    await fn(sim, c);
  } finally {
    await c.close();
    await sim.close();
  }
}

/** The Ready machine of the default inventory, with its storage cleared (layout "blank"). */
async function readyMachine(c: M.MaasClient): Promise<M.Machine> {
  const m = await c.findMachine({ hostname: "existing-node" });
  assert.ok(m, "the simulator's default inventory has existing-node");
  assert.equal(m.status_name, "Ready");
  return m;
}

async function rows(sim: TestSimulator, method: string, route: string) {
  return (await sim.stats()).requests.filter((r) => r.method === method && r.route === route);
}
const total = (rs: { count: number }[]) => rs.reduce((a, r) => a + r.count, 0);

async function transitionsTo(sim: TestSimulator, systemId: string, to: string): Promise<number> {
  const s = await sim.stats();
  return (s.machines[systemId]?.transitions ?? []).filter((t) => t.to === to).length;
}

test("sim: a burst of 503s on reads is retried through", async () => {
  await withSim({}, async (sim, c) => {
    const m = await readyMachine(c);
    await sim.resetStats();
    await sim.setFaults({ rules: [{ kind: "error", status: 503, method: "GET", route: "machines/{id}/", nth: [1, 2, 3] }] });
    const got = await c.getMachine(m.system_id);
    assert.equal(got.system_id, m.system_id);
    const rs = await rows(sim, "GET", "machines/{id}/");
    assert.equal(total(rs.filter((r) => r.status === 503)), 3);
    assert.equal(total(rs.filter((r) => r.status === 200)), 1);
  });
});

test("sim: a burst longer than maxRetries fails with RetriesExhaustedError naming the machine", async () => {
  await withSim(
    {},
    async (sim, c) => {
      const m = await readyMachine(c);
      await sim.resetStats();
      await sim.setFaults({ rules: [{ kind: "error", status: 503, method: "GET", route: "machines/{id}/", times: 10 }] });
      await assert.rejects(c.getMachine(m.system_id), (e: unknown) => e instanceof maas.RetriesExhaustedError && e.message.includes(`existing-node (${m.system_id})`));
      assert.equal(total(await rows(sim, "GET", "machines/{id}/")), 3, "1 attempt + 2 retries");
    },
    { maxRetries: 2 },
  );
});

test("sim: maxRetries 0 retries forever through a long burst", async () => {
  await withSim(
    {},
    async (sim, c) => {
      const m = await readyMachine(c);
      await sim.resetStats();
      await sim.setFaults({ rules: [{ kind: "error", status: 500, method: "GET", route: "machines/{id}/", times: 30 }] });
      const got = await c.getMachine(m.system_id);
      assert.equal(got.status_name, "Ready");
      const rs = await rows(sim, "GET", "machines/{id}/");
      assert.equal(total(rs.filter((r) => r.status === 500)), 30);
      assert.equal(total(rs.filter((r) => r.status === 200)), 1);
    },
    { maxRetries: 0, retryCapMs: 30 },
  );
});

for (const drop of ["drop-before-apply", "drop-after-apply"] as const) {
  test(`sim: ${drop} on a partition create leaves exactly one partition`, async () => {
    await withSim({}, async (sim, c) => {
      const m = await readyMachine(c);
      await c.setStorageLayout(m.system_id, "blank");
      const [disk] = await c.listBlockDevices(m.system_id);
      await sim.resetStats();
      await sim.setFaults({ rules: [{ kind: drop, method: "POST", route: "nodes/{id}/blockdevices/{n}/partitions/", nth: [1] }] });
      const p = await c.createPartition(m.system_id, disk!.id, { size: 8e9 });
      const parts = (await sim.api("GET", `nodes/${m.system_id}/blockdevices/${disk!.id}/partitions/`)).json() as { id: number }[];
      assert.deepEqual(parts.map((x) => x.id), [p.id], "MAAS holds exactly the one partition the client returned");
      const posts = await rows(sim, "POST", "nodes/{id}/blockdevices/{n}/partitions/");
      assert.equal(total(posts), drop === "drop-after-apply" ? 1 : 2, "re-sent only when the first was not applied");
    });
  });

  test(`sim: ${drop} on a deploy makes exactly one deploy`, async () => {
    await withSim({}, async (sim, c) => {
      const m = await readyMachine(c);
      await sim.resetStats();
      await sim.setFaults({ rules: [{ kind: drop, method: "POST", route: "machines/{id}/?op=deploy", nth: [1] }] });
      const d = await c.deploy(m.system_id, { distroSeries: "jammy" });
      assert.ok(["Deploying", "Deployed"].includes(d.status_name));
      const done = await c.watcher.waitFor({ systemId: m.system_id, target: ["Deployed"], timeoutMs: 30_000, operation: "deploy" });
      assert.equal(done.status_name, "Deployed");
      assert.equal(await transitionsTo(sim, m.system_id, "Deploying"), 1, "the simulator saw one deploy");
      const accepted = (await rows(sim, "POST", "machines/{id}/?op=deploy")).filter((r) => r.status === 200);
      assert.equal(total(accepted), 1);
    });
  });
}

test("sim: latency beyond the request timeout on a deploy still ends in exactly one deploy", async () => {
  await withSim(
    {},
    async (sim, c) => {
      const m = await readyMachine(c);
      await sim.resetStats();
      await sim.setFaults({ rules: [{ kind: "latency", ms: 1500, method: "POST", route: "machines/{id}/?op=deploy", nth: [1] }] });
      await c.deploy(m.system_id);
      await c.watcher.waitFor({ systemId: m.system_id, target: ["Deployed"], timeoutMs: 30_000, operation: "deploy" });
      // give a late-applied first request time to land before counting
      await new Promise((r) => setTimeout(r, 1800));
      assert.equal(await transitionsTo(sim, m.system_id, "Deploying"), 1);
    },
    { requestTimeoutMs: 500 },
  );
});

test("sim: latency on reads within the timeout just slows them down", async () => {
  await withSim({}, async (sim, c) => {
    const m = await readyMachine(c);
    await sim.setFaults({ rules: [{ kind: "latency", ms: 200, method: "GET", route: "machines/{id}/" }] });
    const t0 = Date.now();
    await Promise.all([c.getMachine(m.system_id), c.getMachine(m.system_id)]);
    assert.ok(Date.now() - t0 >= 190);
  });
});

test("sim: an outage window is ridden out by retries", async () => {
  await withSim(
    {},
    async (sim, c) => {
      const m = await readyMachine(c);
      await sim.resetStats();
      const spec: FaultSpec = { outages: [{ start: 0, duration: 1.5 }] };
      await sim.setFaults(spec);
      const t0 = Date.now();
      const got = await c.getMachine(m.system_id);
      assert.equal(got.system_id, m.system_id);
      assert.ok(Date.now() - t0 >= 1000, "the answer came after the outage");
      const rs = await rows(sim, "GET", "machines/{id}/");
      assert.ok(total(rs.filter((r) => r.status === 503)) >= 2, "requests during the outage were refused");
      assert.equal(total(rs.filter((r) => r.status === 200)), 1);
    },
    { maxRetries: 20, retryBaseMs: 100, retryCapMs: 300 },
  );
});

test("sim: 40 machines commissioning are watched with one list request per poll, each ending on a recorded transition", async () => {
  await withSim({ machines: 40, speed: 200 }, async (sim, c) => {
    const inv = await sim.inventory();
    const created = await Promise.all(
      inv.servers.map((s) =>
        c.createMachine({
          hostname: s.hostname,
          architecture: "amd64/generic",
          macAddresses: s.macs,
          powerType: "ipmi",
          powerParameters: { power_address: s.bmcAddress, power_user: "admin", power_pass: "x" },
        }),
      ),
    );
    const listsBefore = total(await rows(sim, "GET", "machines/"));
    const changes: Record<string, string[]> = {};
    const done = await Promise.all(
      created.map((m) =>
        c.watcher.waitFor({
          systemId: m.system_id,
          target: ["Ready"],
          timeoutMs: 60_000,
          operation: "commission",
          onChange: (x) => (changes[m.system_id] ??= []).push(x.status_name),
        }),
      ),
    );
    const lists = total(await rows(sim, "GET", "machines/")) - listsBefore;
    const polls = c.watcher.stats().polls;
    assert.ok(polls >= 2);
    assert.equal(lists, polls, `one list request per poll (${lists} requests for ${polls} polls)`);
    const stats = await sim.stats();
    for (const m of done) {
      assert.equal(m.status_name, "Ready");
      assert.ok(stats.machines[m.system_id]!.transitions.some((t) => t.to === "Ready"), "the simulator recorded the transition");
      assert.equal(changes[m.system_id]!.at(-1), "Ready");
    }
  });
});

test("sim: a failure state ends the wait at once with MAAS's status_message", async () => {
  await withSim({ faults: { machines: { node01: { failDeployment: true } } } }, async (sim, c) => {
    const s = (await sim.inventory()).servers.find((x) => x.hostname === "node01")!;
    const m = await c.createMachine({ hostname: "node01", architecture: "amd64/generic", macAddresses: s.macs, powerType: "ipmi", powerParameters: { power_address: s.bmcAddress } });
    await c.watcher.waitFor({ systemId: m.system_id, target: ["Ready"], timeoutMs: 30_000, operation: "commission" });
    await c.deploy(m.system_id);
    await assert.rejects(c.watcher.waitFor({ systemId: m.system_id, target: ["Deployed"], timeoutMs: 30_000, operation: "deploy" }), (e: unknown) => {
      assert.ok(e instanceof maas.FailureStateError);
      assert.equal(e.statusName, "Failed deployment");
      assert.ok(e.statusMessage, "carries MAAS's status_message");
      assert.match(e.message, new RegExp(`^deploy node01 \\(${m.system_id}\\)`));
      return true;
    });
  });
});

test("sim: TLS is verified by default, passes with the CA, and insecure only when asked", async () => {
  const sim = await startTestSimulator({ tls: { selfSigned: true } });
  try {
    const strict = new MaasClient({ apiUrl: sim.url, apiKey: sim.apiKey, maxRetries: 1, retryBaseMs: 10 });
    await assert.rejects(strict.version(), (e: unknown) => e instanceof maas.TransportError && !e.transient);
    await strict.close();
    const ca = require("node:fs").readFileSync(sim.caFile!, "utf8") as string;
    const withCa = new MaasClient({ apiUrl: sim.url, apiKey: sim.apiKey, caCert: ca });
    assert.ok((await withCa.whoami()).username);
    await withCa.close();
    const insecure = new MaasClient({ apiUrl: sim.url, apiKey: sim.apiKey, insecure: true });
    assert.ok((await insecure.version()).version);
    await insecure.close();
  } finally {
    await sim.close();
  }
});
