/**
 * The fleet watcher against a local fake serving recorded state sequences: one list request per
 * interval for every wait, callbacks on each change, failure states, lost machines, poll retries.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type * as M from "../../provider/src/maas";
// Under tsx the sources run directly; compiled (dist/test/client) the provider's own build is used.
const maas = require(__filename.endsWith(".ts") ? "../../provider/src/maas" : "@maas-automation/provider/dist/maas") as typeof M;
const { MaasClient } = maas;

const KEY = "ck0000000000000000:tk0000000000000000:ts000000000000000000000000000000";

/**
 * Fake MAAS: each machine follows a recorded sequence of [status_name, status_message?]; every
 * list request advances every machine by one step. `fail` makes list requests answer 503.
 */
async function fleet(sequences: Record<string, [string, string?][]>, opts: { fail?: (n: number) => boolean; missing?: string[] } = {}) {
  const pos: Record<string, number> = {};
  const lists: string[][] = [];
  const server = http.createServer((req, res) => {
    const u = new URL(req.url!, "http://x");
    if (u.pathname !== "/MAAS/api/2.0/machines/") {
      res.writeHead(404).end();
      return;
    }
    const ids = u.searchParams.getAll("id");
    lists.push(ids);
    if (opts.fail?.(lists.length)) {
      res.writeHead(503, { "content-type": "text/plain" }).end("No rack controllers connected");
      return;
    }
    const out = [];
    for (const id of ids) {
      const seq = sequences[id];
      if (!seq || opts.missing?.includes(id)) continue;
      const i = Math.min(pos[id] ?? 0, seq.length - 1);
      pos[id] = i + 1;
      const [name, msg] = seq[i]!;
      out.push({ system_id: id, hostname: `host-${id}`, status: 0, status_name: name, status_message: msg ?? null, interface_set: [], blockdevice_set: [] });
    }
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(out));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/MAAS`;
  return {
    url,
    lists,
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

const mk = (url: string, extra: Partial<M.MaasClientOptions> = {}) =>
  new MaasClient({ apiUrl: url, apiKey: KEY, pollIntervalMs: 40, sleep: async () => undefined, ...extra });

test("200 concurrent waits are served by one list request per interval, with a callback on each state change", async () => {
  const ids = Array.from({ length: 200 }, (_, i) => `m${String(i).padStart(4, "0")}`);
  const seq: [string][] = [["Commissioning"], ["Commissioning"], ["Testing"], ["Ready"]];
  const f = await fleet(Object.fromEntries(ids.map((id) => [id, seq])));
  const c = mk(f.url);
  try {
    const seen: Record<string, string[]> = {};
    const results = await Promise.all(
      ids.map((id) =>
        c.watcher.waitFor({
          systemId: id,
          target: ["Ready"],
          timeoutMs: 10_000,
          operation: "commission",
          onChange: (m) => (seen[id] ??= []).push(m.status_name),
        }),
      ),
    );
    assert.ok(results.every((m) => m.status_name === "Ready"));
    for (const id of ids) assert.deepEqual(seen[id], ["Commissioning", "Testing", "Ready"]);
    assert.equal(f.lists.length, 4, "4 polls, one request each");
    for (const l of f.lists) assert.equal(l.length, 200, "each request asks for every waiting machine");
    assert.equal(c.watcher.stats().polls, 4);
  } finally {
    await c.close();
    await f.close();
  }
});

test("a wait ends at once on a failure state with MAAS's status_message; other waits go on", async () => {
  const f = await fleet({
    bad1: [["Deploying"], ["Failed deployment", "Installation failed - curtin error"]],
    good: [["Deploying"], ["Deploying"], ["Deployed"]],
  });
  const c = mk(f.url);
  try {
    const bad = c.watcher.waitFor({ systemId: "bad1", target: ["Deployed"], timeoutMs: 10_000, operation: "deploy" });
    const good = c.watcher.waitFor({ systemId: "good", target: ["Deployed"], timeoutMs: 10_000, operation: "deploy" });
    await assert.rejects(bad, (e: unknown) => {
      assert.ok(e instanceof maas.FailureStateError);
      assert.equal(e.statusName, "Failed deployment");
      assert.equal(e.statusMessage, "Installation failed - curtin error");
      assert.match(e.message, /^deploy host-bad1 \(bad1\): .*Failed deployment.*curtin error/);
      return true;
    });
    assert.equal((await good).status_name, "Deployed");
  } finally {
    await c.close();
    await f.close();
  }
});

test("a machine missing from the list fails its own wait with NotFoundError", async () => {
  const f = await fleet({ here: [["Deploying"], ["Deployed"]], gone: [["Deploying"]] }, { missing: ["gone"] });
  const c = mk(f.url);
  try {
    const gone = c.watcher.waitFor({ systemId: "gone", hostname: "node-gone", target: ["Deployed"], timeoutMs: 10_000, operation: "deploy" });
    const here = c.watcher.waitFor({ systemId: "here", target: ["Deployed"], timeoutMs: 10_000, operation: "deploy" });
    await assert.rejects(gone, (e: unknown) => e instanceof maas.NotFoundError && /node-gone \(gone\)/.test(e.message));
    assert.equal((await here).status_name, "Deployed");
  } finally {
    await c.close();
    await f.close();
  }
});

test("transient poll errors do not fail waits while retries remain", async () => {
  const f = await fleet({ a: [["Commissioning"], ["Ready"]] }, { fail: (n) => n === 2 || n === 3 });
  const c = mk(f.url, { maxRetries: 2 });
  try {
    const m = await c.watcher.waitFor({ systemId: "a", target: ["Ready"], timeoutMs: 10_000, operation: "commission" });
    assert.equal(m.status_name, "Ready");
  } finally {
    await c.close();
    await f.close();
  }
});

test("when a poll exhausts maxRetries every wait it serves fails with RetriesExhaustedError naming its machine", async () => {
  const ids = ["r1", "r2", "r3"];
  const f = await fleet(Object.fromEntries(ids.map((id) => [id, [["Deploying"]] as [string][]])), { fail: (n) => n >= 2 });
  const c = mk(f.url, { maxRetries: 3 });
  try {
    const results = await Promise.allSettled(ids.map((id) => c.watcher.waitFor({ systemId: id, target: ["Deployed"], timeoutMs: 10_000, operation: "deploy" })));
    results.forEach((r, i) => {
      assert.equal(r.status, "rejected");
      const e = (r as PromiseRejectedResult).reason as M.MaasError;
      assert.ok(e instanceof maas.RetriesExhaustedError);
      assert.equal(e.systemId, ids[i]);
      assert.match(e.message, new RegExp(`^deploy host-${ids[i]} \\(${ids[i]}\\): retries exhausted after 4 attempts.*503`));
    });
    assert.equal(f.lists.length, 1 + 4, "one good poll, then one poll of 4 attempts (not one per machine)");
  } finally {
    await c.close();
    await f.close();
  }
});

test("with maxRetries 0 a long outage never fails the wait", async () => {
  const f = await fleet({ a: [["Deploying"], ["Deployed"]] }, { fail: (n) => n >= 2 && n < 40 });
  const c = mk(f.url, { maxRetries: 0 });
  try {
    const m = await c.watcher.waitFor({ systemId: "a", target: ["Deployed"], timeoutMs: 10_000, operation: "deploy" });
    assert.equal(m.status_name, "Deployed");
    assert.ok(f.lists.length >= 40);
  } finally {
    await c.close();
    await f.close();
  }
});

test("a wait times out with the last status seen", async () => {
  const f = await fleet({ slow: [["Deploying"]] });
  const c = mk(f.url);
  try {
    await assert.rejects(
      c.watcher.waitFor({ systemId: "slow", target: ["Deployed"], timeoutMs: 300, operation: "deploy" }),
      (e: unknown) => e instanceof maas.WaitTimeoutError && e.lastStatus === "Deploying" && /host-slow \(slow\)/.test(e.message),
    );
  } finally {
    await c.close();
    await f.close();
  }
});

test("poll requests are split only to keep URLs under ~8 KB: 500 ids in one, 1,000 in two", () => {
  const c = new MaasClient({ apiUrl: "http://maas.example:5240/MAAS", apiKey: KEY });
  try {
    const ids = (n: number) => Array.from({ length: n }, (_, i) => `x${String(i).padStart(5, "0")}`);
    assert.equal(c.watcher.chunkIds(ids(500)).length, 1);
    const two = c.watcher.chunkIds(ids(1000));
    assert.equal(two.length, 2);
    for (const chunk of two) assert.ok(c.transport.url("machines/", { id: chunk }).length <= 8000);
    assert.deepEqual(two.flat(), ids(1000));
  } finally {
    void c.close();
  }
});
