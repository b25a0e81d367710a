/**
 * The HTTP layer against a tiny local server serving canned MAAS answers: backoff schedule,
 * Retry-After, retries exhausted / forever, error mapping, form encoding, the concurrency limit,
 * and the no-blind-repeat rule when a connection dies before or after MAAS applied a POST.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type * as M from "../../provider/src/maas";
// Under tsx the sources run directly; compiled (dist/test/client) the provider's own build is used.
const maas = require(__filename.endsWith(".ts") ? "../../provider/src/maas" : "@maas-automation/provider/dist/maas") as typeof M;
const { MaasClient, backoffDelay, parseRetryAfter } = maas;

const KEY = "ck0000000000000000:tk0000000000000000:ts000000000000000000000000000000";

interface Seen {
  method: string;
  url: string;
  body: string;
  headers: http.IncomingHttpHeaders;
}
type Handler = (req: Seen, res: http.ServerResponse) => void | Promise<void>;

async function serve(handler: Handler) {
  const seen: Seen[] = [];
  let active = 0;
  let maxActive = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", async () => {
      const s: Seen = { method: req.method!, url: req.url!, body, headers: req.headers };
      seen.push(s);
      active++;
      maxActive = Math.max(maxActive, active);
      res.on("close", () => active--);
      try {
        await handler(s, res);
      } catch (e) {
        res.statusCode = 599;
        res.end(String(e));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/MAAS`,
    seen,
    get maxActive() {
      return maxActive;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}
function text(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "text/plain", ...headers });
  res.end(body);
}
const machine = (o: Partial<Record<string, unknown>> = {}) => ({
  system_id: "abc123",
  hostname: "node01",
  status: 4,
  status_name: "Ready",
  status_message: null,
  power_state: "off",
  interface_set: [],
  blockdevice_set: [],
  resource_uri: "/MAAS/api/2.0/machines/abc123/",
  ...o,
});

function client(url: string, extra: Partial<M.MaasClientOptions> = {}) {
  const delays: number[] = [];
  const c = new MaasClient({ apiUrl: url, apiKey: KEY, random: () => 1, sleep: async (ms) => void delays.push(ms), ...extra });
  return { c, delays };
}

test("backoff: exponential from 1 s, doubling, capped at 60 s, jitter within [d/2, d]", () => {
  const o = { baseMs: 1000, capMs: 60000 };
  const hi = Array.from({ length: 9 }, (_, i) => backoffDelay(i, { ...o, random: () => 1 }));
  const lo = Array.from({ length: 9 }, (_, i) => backoffDelay(i, { ...o, random: () => 0 }));
  assert.deepEqual(hi, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  assert.deepEqual(lo, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  assert.equal(backoffDelay(1000, { ...o, random: () => 1 }), 60000, "huge retry counts stay capped");
});

test("Retry-After is parsed as seconds or an HTTP date", () => {
  assert.equal(parseRetryAfter("10"), 10000);
  assert.equal(parseRetryAfter(undefined), undefined);
  assert.equal(parseRetryAfter(new Date(Date.now() + 5000).toUTCString(), Date.now()) !== undefined, true);
  assert.equal(parseRetryAfter("soon"), undefined);
});

test("a burst of 503s is retried with the backoff schedule and the request then succeeds", async () => {
  let n = 0;
  const s = await serve((_r, res) => (++n <= 3 ? text(res, 503, "No rack controllers") : json(res, 200, machine())));
  const { c, delays } = client(s.url);
  try {
    const m = await c.getMachine("abc123");
    assert.equal(m.hostname, "node01");
    assert.equal(s.seen.length, 4);
    assert.deepEqual(delays, [1000, 2000, 4000]);
    const auths = new Set(s.seen.map((r) => r.headers.authorization));
    assert.equal(auths.size, 4, "every attempt is signed afresh (new nonce)");
  } finally {
    await c.close();
    await s.close();
  }
});

test("Retry-After from MAAS replaces the computed delay", async () => {
  let n = 0;
  const s = await serve((_r, res) => (++n === 1 ? text(res, 503, "busy", { "retry-after": "7" }) : json(res, 200, machine())));
  const { c, delays } = client(s.url);
  try {
    await c.getMachine("abc123");
    assert.deepEqual(delays, [7000]);
  } finally {
    await c.close();
    await s.close();
  }
});

test("429, 500, 502, 504 and a 409 carrying Retry-After are retried on reads", async () => {
  const seq: [number, Record<string, string>][] = [[429, {}], [500, {}], [502, {}], [504, {}], [409, { "retry-after": "5" }]];
  let n = 0;
  const s = await serve((_r, res) => {
    const step = seq[n++];
    if (step) text(res, step[0], "transient", step[1]);
    else json(res, 200, machine());
  });
  const { c } = client(s.url);
  try {
    await c.getMachine("abc123");
    assert.equal(s.seen.length, 6);
  } finally {
    await c.close();
    await s.close();
  }
});

test("retries exhausted after maxRetries: error names the machine, the operation and the last failure", async () => {
  const s = await serve((r, res) => (r.url.includes("op=deploy") ? text(res, 503, "Unable to connect to any rack controller") : json(res, 200, machine())));
  const { c } = client(s.url, { maxRetries: 2 });
  try {
    await c.getMachine("abc123"); // learns the hostname
    const before = s.seen.length;
    await assert.rejects(c.deploy("abc123"), (e: unknown) => {
      assert.ok(e instanceof maas.RetriesExhaustedError);
      assert.equal(e.attempts, 3);
      assert.match(e.message, /deploy node01 \(abc123\)/);
      assert.match(e.message, /503.*Unable to connect to any rack controller/);
      return true;
    });
    assert.equal(s.seen.length - before, 3, "1 attempt + 2 retries");
  } finally {
    await c.close();
    await s.close();
  }
});

test("maxRetries 0 retries forever", async () => {
  let n = 0;
  const s = await serve((_r, res) => (++n <= 25 ? text(res, 503, "down") : json(res, 200, machine())));
  const { c, delays } = client(s.url, { maxRetries: 0 });
  try {
    await c.getMachine("abc123");
    assert.equal(s.seen.length, 26);
    assert.equal(delays.length, 25);
    assert.equal(Math.max(...delays), 60000, "delays stay capped");
  } finally {
    await c.close();
    await s.close();
  }
});

test("connection refused is retried (nothing was sent), then RetriesExhaustedError", async () => {
  const s = await serve(() => undefined);
  const url = s.url;
  await s.close(); // nothing listens there now
  const { c, delays } = client(url, { maxRetries: 3 });
  try {
    await assert.rejects(c.deploy("abc123"), maas.RetriesExhaustedError);
    assert.equal(delays.length, 3);
  } finally {
    await c.close();
  }
});

test("error mapping: 401, 403, 404, 409, 400 JSON and 400 text become typed errors with MAAS's message", async () => {
  const s = await serve((r, res) => {
    const u = r.url;
    if (u.startsWith("/MAAS/api/2.0/machines/abc123/?op=deploy")) return text(res, 409, "Can't deploy a machine that is in the 'New' state");
    if (u.startsWith("/MAAS/api/2.0/machines/abc123/?op=commission"))
      return json(res, 400, { __all__: ["Commission is not available because of the current state of the node."] });
    if (u.startsWith("/MAAS/api/2.0/machines/abc123/?op=abort")) return text(res, 409, "Cannot abort in current state: node abc123 is in state Ready.");
    if (u.startsWith("/MAAS/api/2.0/machines/abc123/?op=mark_broken")) return text(res, 403, "");
    if (u.startsWith("/MAAS/api/2.0/machines/abc123/")) return r.method === "GET" ? json(res, 200, machine({ status: 0, status_name: "New" })) : text(res, 500, "?");
    if (u.startsWith("/MAAS/api/2.0/machines/gone99/")) return text(res, 404, "No Machine matches the given query.");
    if (u.startsWith("/MAAS/api/2.0/users/")) return text(res, 401, "Authorization Error: 'Invalid access token: xyz'");
    if (u.startsWith("/MAAS/api/2.0/nodes/abc123/interfaces/?op=create_bond"))
      return json(res, 400, { parents: ["Interfaces already in-use: eth0."], bond_mode: ["'x' is not a valid bond_mode."] });
    if (u.startsWith("/MAAS/api/2.0/nodes/abc123/blockdevices/5/")) return text(res, 400, "Cannot set a virtual block device as the boot disk.");
    return text(res, 404, "unexpected " + u);
  });
  const { c } = client(s.url);
  try {
    await c.getMachine("abc123");
    await assert.rejects(c.whoami(), (e: unknown) => e instanceof maas.AuthenticationError && /Invalid access token/.test(e.message) && e.httpStatus === 401);
    await assert.rejects(c.markBroken("abc123"), (e: unknown) => e instanceof maas.AuthenticationError && /403/.test(e.message) && /needs the 'edit' permission on the machine/.test(e.message));
    await assert.rejects(c.getMachine("gone99"), (e: unknown) => e instanceof maas.NotFoundError && /No Machine matches/.test(e.message) && e.systemId === "gone99");
    await assert.rejects(c.deploy("abc123"), (e: unknown) => {
      assert.ok(e instanceof maas.ConflictError);
      assert.equal(e.maasStatus, "New");
      assert.equal(e.operation, "deploy");
      assert.match(e.message, /^deploy node01 \(abc123\): .*Can't deploy a machine that is in the 'New' state/);
      return true;
    });
    await assert.rejects(c.abort("abc123"), (e: unknown) => e instanceof maas.ConflictError && e.maasStatus === "Ready");
    await assert.rejects(c.commission("abc123"), (e: unknown) => {
      assert.ok(e instanceof maas.ConflictError, "commission's 400 __all__ state error is a conflict");
      assert.equal(e.maasStatus, "New", "status read back from MAAS");
      return true;
    });
    await assert.rejects(c.createBond("abc123", { name: "bond0", parents: [1, 2], mode: "x" }), (e: unknown) => {
      assert.ok(e instanceof maas.ValidationError);
      assert.deepEqual(e.fieldErrors.parents, ["Interfaces already in-use: eth0."]);
      assert.match(e.message, /bond_mode: 'x' is not a valid bond_mode/);
      return true;
    });
    await assert.rejects(c.setBootDisk("abc123", 5), (e: unknown) => e instanceof maas.ValidationError && e.fieldErrors.__all__![0] === "Cannot set a virtual block device as the boot disk.");
  } finally {
    await c.close();
    await s.close();
  }
});

test("an answer that does not fit the schema names the endpoint and the field", async () => {
  const s = await serve((_r, res) => json(res, 200, [machine(), machine({ system_id: "x2", status_name: 4 })]));
  const { c } = client(s.url);
  try {
    await assert.rejects(c.listMachines(), (e: unknown) => {
      assert.ok(e instanceof maas.ResponseShapeError);
      assert.equal(e.field, "[1].status_name");
      assert.match(e.message, /GET machines\//);
      return true;
    });
  } finally {
    await c.close();
    await s.close();
  }
});

test("forms: urlencoded with repeated keys, op in the query string, partition item URL without trailing slash", async () => {
  const s = await serve((r, res) => {
    if (r.url.includes("op=create_bond")) return json(res, 200, { id: 9, name: "bond0", type: "bond", links: [] });
    if (r.url.includes("/partition/7")) return json(res, 200, { id: 7, size: 4194304, filesystem: { fstype: "ext4", label: "root", mount_point: null } });
    if (r.url.includes("op=deploy")) return json(res, 200, machine({ status: 9, status_name: "Deploying" }));
    return json(res, 200, machine());
  });
  const { c } = client(s.url);
  try {
    await c.createBond("abc123", { name: "bond0", parents: [1, 2], mode: "802.3ad", lacpRate: "fast" });
    const bond = s.seen.at(-1)!;
    assert.equal(bond.method, "POST");
    assert.equal(bond.url, "/MAAS/api/2.0/nodes/abc123/interfaces/?op=create_bond");
    assert.equal(bond.headers["content-type"], "application/x-www-form-urlencoded");
    assert.deepEqual(new URLSearchParams(bond.body).getAll("parents"), ["1", "2"]);
    assert.equal(new URLSearchParams(bond.body).get("bond_mode"), "802.3ad");
    assert.equal(new URLSearchParams(bond.body).get("bond_lacp_rate"), "fast");

    await c.formatPartition("abc123", 3, 7, { fstype: "ext4", label: "root" });
    assert.equal(s.seen.at(-1)!.url, "/MAAS/api/2.0/nodes/abc123/blockdevices/3/partition/7?op=format");

    await c.deploy("abc123", { distroSeries: "jammy", userData: "#cloud-config\n" });
    const dep = new URLSearchParams(s.seen.at(-1)!.body);
    assert.equal(dep.get("distro_series"), "jammy");
    assert.equal(Buffer.from(dep.get("user_data")!, "base64").toString(), "#cloud-config\n");
  } finally {
    await c.close();
    await s.close();
  }
});

/** A fake MAAS holding one machine with one disk, enough to apply partition creates and deploys. */
function fakeStorageMaas(fault: { dropBeforeApply?: string; dropAfterApply?: string; stallAfterApplyMs?: number }) {
  const state = { status: 4, partitions: [] as { id: number; size: number }[], nextId: 1, posts: 0, deploys: 0 };
  const names: Record<number, string> = { 4: "Ready", 9: "Deploying" };
  let faulted = new Set<string>();
  const handler: Handler = async (r, res) => {
    const kind = r.url.includes("op=deploy") ? "deploy" : r.method === "POST" && r.url.endsWith("/partitions/") ? "partition" : "";
    if (r.method === "POST") state.posts++;
    if (kind && fault.dropBeforeApply === kind && !faulted.has(kind)) {
      faulted.add(kind);
      res.socket?.destroy();
      return;
    }
    if (kind === "partition") state.partitions.push({ id: state.nextId++, size: Number(new URLSearchParams(r.body).get("size")) });
    if (kind === "deploy") {
      state.deploys++;
      state.status = 9;
    }
    if (kind && fault.dropAfterApply === kind && !faulted.has(kind)) {
      faulted.add(kind);
      if (fault.stallAfterApplyMs) await new Promise((x) => setTimeout(x, fault.stallAfterApplyMs));
      res.socket?.destroy();
      return;
    }
    if (kind === "partition") return json(res, 200, state.partitions.at(-1));
    if (r.url.includes("/partitions/")) return json(res, 200, state.partitions);
    return json(res, 200, machine({ status: state.status, status_name: names[state.status] }));
  };
  return { state, handler };
}

for (const kind of ["partition", "deploy"] as const) {
  test(`drop-after-apply on ${kind}: the client re-reads MAAS and does not repeat the POST`, async () => {
    const f = fakeStorageMaas({ dropAfterApply: kind });
    const s = await serve(f.handler);
    const { c } = client(s.url);
    try {
      if (kind === "partition") {
        const p = await c.createPartition("abc123", 1, { size: 8 * 1024 * 1024 });
        assert.equal(p.id, 1);
        assert.equal(f.state.partitions.length, 1, "exactly one partition in MAAS");
      } else {
        const m = await c.deploy("abc123");
        assert.equal(m.status_name, "Deploying");
        assert.equal(f.state.deploys, 1, "exactly one deploy seen by MAAS");
      }
      assert.equal(f.state.posts, 1);
    } finally {
      await c.close();
      await s.close();
    }
  });

  test(`drop-before-apply on ${kind}: the re-read shows nothing happened, so the POST is sent again once`, async () => {
    const f = fakeStorageMaas({ dropBeforeApply: kind });
    const s = await serve(f.handler);
    const { c } = client(s.url);
    try {
      if (kind === "partition") {
        await c.createPartition("abc123", 1, { size: 8 * 1024 * 1024 });
        assert.equal(f.state.partitions.length, 1);
      } else {
        await c.deploy("abc123");
        assert.equal(f.state.deploys, 1);
      }
      assert.equal(f.state.posts, 2);
    } finally {
      await c.close();
      await s.close();
    }
  });
}

test("a POST that times out after MAAS applied it is verified, not repeated", async () => {
  const f = fakeStorageMaas({ dropAfterApply: "deploy", stallAfterApplyMs: 600 });
  const s = await serve(f.handler);
  const { c } = client(s.url, { requestTimeoutMs: 200 });
  try {
    const m = await c.deploy("abc123");
    assert.equal(m.status_name, "Deploying");
    assert.equal(f.state.deploys, 1);
  } finally {
    await c.close();
    await s.close();
  }
});

test("maxConcurrentRequests bounds the requests in flight", async () => {
  const s = await serve(async (_r, res) => {
    await new Promise((x) => setTimeout(x, 30));
    json(res, 200, machine());
  });
  const { c } = client(s.url, { maxConcurrentRequests: 3 });
  try {
    await Promise.all(Array.from({ length: 20 }, () => c.getMachine("abc123")));
    assert.equal(s.seen.length, 20);
    assert.ok(s.maxActive <= 3, `max in flight was ${s.maxActive}`);
    assert.equal(s.maxActive, 3);
  } finally {
    await c.close();
    await s.close();
  }
});
