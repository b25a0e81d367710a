// Admin endpoints, faults, pause/resume, TLS, CLI — over HTTP only.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator";

import { maasHttp } from "./http-client";

let sim: TestSimulator;
const { oauth, call, waitStatus, create, JSON_CT, TEXT } = maasHttp(() => sim);

before(async () => { sim = await startTestSimulator({ speed: 3000 }); });
after(async () => { await sim.close(); });

import { spawn } from "node:child_process";
import { request as httpsRequest } from "node:https";
import { readFileSync } from "node:fs";
import { startSimulator } from "../../simulator/index";

test("admin endpoints need the bearer token", async () => {
  const r = await fetch(`${sim.origin}/_sim/stats`);
  assert.equal(r.status, 401);
  const r2 = await fetch(`${sim.origin}/_sim/stats`, { headers: { Authorization: "Bearer wrong" } });
  assert.equal(r2.status, 401);
  const ok = await fetch(`${sim.origin}/_sim/stats`, { headers: { Authorization: `Bearer ${sim.adminToken}` } });
  assert.equal(ok.status, 200);
});

test("fault 503 is answered before anything is applied, and counted", async () => {
  await sim.setFaults({ rules: [{ kind: "error", status: 503, method: "POST", route: "machines/", nth: [1] }] });
  await sim.resetStats();
  const r = await call("POST", "machines/", { mac_addresses: "52:54:00:00:02:01", architecture: "amd64/generic", power_type: "manual" });
  assert.equal(r.status, 503);
  assert.equal((await call("GET", "machines/", { mac_address: "52:54:00:00:02:01" })).json.length, 0);
  const r2 = await call("POST", "machines/", { mac_addresses: "52:54:00:00:02:01", architecture: "amd64/generic", power_type: "manual" });
  assert.equal(r2.status, 200);
  const st = await sim.stats();
  assert.deepEqual(st.requests.filter((x) => x.method === "POST").map((x) => [x.status, x.count]).sort(), [[200, 1], [503, 1]]);
  assert.equal(await sim.mutatingRequestCount(), 2);
  await sim.setFaults({});
});

test("drop-before-apply changes nothing; drop-after-apply commits then resets the connection", async () => {
  await sim.setFaults({ rules: [{ kind: "drop-before-apply", route: "machines/", method: "POST", nth: [1] }, { kind: "drop-after-apply", route: "machines/", method: "POST", nth: [2] }] });
  await assert.rejects(call("POST", "machines/", { mac_addresses: "52:54:00:00:02:02", architecture: "amd64/generic", power_type: "manual" }));
  assert.equal((await call("GET", "machines/", { mac_address: "52:54:00:00:02:02" })).json.length, 0);
  await assert.rejects(call("POST", "machines/", { mac_addresses: "52:54:00:00:02:02", architecture: "amd64/generic", power_type: "manual" }));
  assert.equal((await call("GET", "machines/", { mac_address: "52:54:00:00:02:02" })).json.length, 1);
  await sim.setFaults({});
});

test("latency and outage windows run in wall-clock time; probabilistic faults are reproducible", async () => {
  await sim.setFaults({ rules: [{ kind: "latency", ms: 150, route: "version/" }] });
  const t0 = Date.now();
  await call("GET", "version/");
  assert.ok(Date.now() - t0 >= 140);
  await sim.setFaults({ outages: [{ start: 0, duration: 0.3 }] });
  assert.equal((await call("GET", "version/")).status, 503);
  await new Promise((r) => setTimeout(r, 350));
  assert.equal((await call("GET", "version/")).status, 200);
  const run = async () => {
    await sim.setFaults({ seed: 7, rules: [{ kind: "error", status: 500, route: "users/?op=whoami", probability: 0.5 }] });
    const out: number[] = [];
    for (let i = 0; i < 12; i++) out.push((await call("GET", "users/", { op: "whoami" })).status);
    return out;
  };
  const a = await run();
  const b = await run();
  assert.deepEqual(a, b);
  assert.ok(a.includes(500) && a.includes(200));
  await sim.setFaults({});
});

test("per-machine faults: fail deployment, fail commissioning, hang", async () => {
  await sim.setFaults({ machines: { "fail-dep": { failDeployment: true }, "fail-com": { failCommissioning: true }, "hang-rel": { hang: "Disk erasing" } } });
  const a = await create("52:54:00:00:02:10", { hostname: "fail-dep" });
  const b = await create("52:54:00:00:02:11", { hostname: "fail-com" });
  const c = await create("52:54:00:00:02:12", { hostname: "hang-rel" });
  await waitStatus(b.system_id, 2);
  await waitStatus(a.system_id, 4);
  await call("POST", `machines/${a.system_id}/?op=deploy`);
  const fd = await waitStatus(a.system_id, 11);
  assert.equal(fd.status_name, "Failed deployment");
  // releasable from Failed deployment
  assert.equal((await call("POST", `machines/${a.system_id}/?op=release`)).status, 200);
  await waitStatus(c.system_id, 4);
  await call("POST", `machines/${c.system_id}/?op=deploy`);
  await waitStatus(c.system_id, 6);
  await call("POST", `machines/${c.system_id}/?op=release`, { erase: "true" });
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await call("GET", `machines/${c.system_id}/`)).json.status_name, "Disk erasing");
  const ab = await call("POST", `machines/${c.system_id}/?op=abort`);
  assert.equal(ab.json.status_name, "Failed disk erasing");
  await sim.setFaults({});
});

test("pause-on: the change is committed, the event published, the response held until resume", async () => {
  const m = await create("52:54:00:00:02:20");
  await waitStatus(m.system_id, 4);
  const seq0 = Math.max(0, ...(await sim.events(0)).map((e) => e.seq));
  await sim.setFaults({ pauseOn: ["deploy-accepted"] });
  let answered = false;
  const pending = call("POST", `machines/${m.system_id}/?op=deploy`).then((r) => { answered = true; return r; });
  const ev = await sim.waitForEvent("deploy-accepted", { after: seq0, systemId: m.system_id });
  assert.equal(ev.systemId, m.system_id);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(answered, false);
  await sim.setFaults({});
  // committed although the answer is held
  const st = await sim.stats();
  assert.ok(st.machines[m.system_id]!.transitions.some((t) => t.to === "Deploying"));
  await sim.resume();
  const r = await pending;
  assert.equal(r.status, 200);
  assert.equal(r.json.status_name, "Deploying");
  const kinds = new Set((await sim.events(seq0)).map((e) => e.event));
  assert.ok(kinds.has("status-changed"));
});

test("TLS self-signed: https URL and a CA file that verifies", async () => {
  const s = await startSimulator({ port: 0, quiet: true, tls: { selfSigned: true } });
  try {
    assert.match(s.url, /^https:\/\/127\.0\.0\.1:\d+\/MAAS$/);
    assert.ok(s.caFile);
    const ca = readFileSync(s.caFile!);
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpsRequest(`${s.url}/api/2.0/version/`, { ca }, (res) => {
        let d = "";
        res.on("data", (c) => (d += c));
        res.on("end", () => resolve(d));
      });
      req.on("error", reject);
      req.end();
    });
    assert.ok(JSON.parse(body).capabilities);
  } finally {
    await s.close();
  }
});

test("CLI prints MAAS_API_URL, MAAS_API_KEY, MAAS_SIM_ADMIN_TOKEN once listening", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "simulator/main.ts", "--port", "0", "--machines", "5", "--quiet", "--api-key", "c:t:s", "--admin-token", "adm"], { cwd: process.cwd(), stdio: ["ignore", "pipe", "pipe"] });
  try {
    const out = await new Promise<string>((resolve, reject) => {
      let buf = "";
      const t = setTimeout(() => reject(new Error("CLI did not print: " + buf)), 15000);
      child.stdout.on("data", (d) => {
        buf += d;
        if (buf.includes("MAAS_SIM_ADMIN_TOKEN=")) { clearTimeout(t); resolve(buf); }
      });
      child.on("exit", (c) => reject(new Error(`exited ${c}`)));
    });
    const url = /^MAAS_API_URL=(http:\/\/127\.0\.0\.1:\d+\/MAAS)$/m.exec(out)![1]!;
    assert.match(out, /^MAAS_API_KEY=c:t:s$/m);
    assert.match(out, /^MAAS_SIM_ADMIN_TOKEN=adm$/m);
    const inv = await (await fetch(url.replace(/\/MAAS$/, "/_sim/inventory"), { headers: { Authorization: "Bearer adm" } })).json() as any;
    assert.deepEqual(inv.servers.map((s: any) => s.hostname), ["node-0001", "node-0002", "node-0003", "node-0004", "node-0005"]);
  } finally {
    child.kill("SIGTERM");
  }
});
