// GET events/?op=query: the lifecycle events MAAS records, readable failure reasons, the filters, the
// paging links and the errors of api/events.py (maas-api.md §8).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator";

interface Ev { username: string; node: string; hostname: string; id: number; level: string; created: string; type: string; description: string }
interface Page { count: number; events: Ev[]; next_uri: string; prev_uri: string | null }

let sim: TestSimulator;
before(async () => {
  sim = await startTestSimulator({
    speed: 3000,
    machines: 6,
    users: [{ username: "alice" }],
    faults: {
      machines: {
        "node-0002": { failCommissioning: "lshw found no disk controller" },
        "node-0003": { failTesting: true },
        "node-0004": { failDeployment: true },
        "node-0005": { failRelease: "wipe-disks: sda is write protected" },
      },
    },
  });
});
after(async () => {
  await sim.close();
});

const query = async (params: Record<string, string | string[]>, as?: string): Promise<{ status: number; body: string; page: Page }> => {
  const r = as ? await sim.apiAs(as, "GET", "events/", { op: "query", ...params }) : await sim.api("GET", "events/", { op: "query", ...params });
  return { status: r.status, body: r.body, page: r.status === 200 ? (r.json() as Page) : ({} as Page) };
};

async function waitStatus(sid: string, status: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 400; i++) {
    const m = (await sim.api("GET", `machines/${sid}/`)).json() as Record<string, unknown>;
    if (m.status_name === status) return m;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${sid} never reached ${status}`);
}

async function commissioned(n: number, status = "Ready"): Promise<string> {
  const hex = n.toString(16).padStart(2, "0");
  const r = await sim.api("POST", "machines/", { mac_addresses: `52:54:00:00:00:${hex}`, architecture: "amd64/generic", power_type: "manual", hostname: `node-000${n}` });
  assert.equal(r.status, 200, r.body);
  const sid = (r.json() as { system_id: string }).system_id;
  await waitStatus(sid, status);
  return sid;
}

test("commissioning: the user's request (DEBUG, '(admin)'), Commissioning and Ready; status_message is the newest INFO event", async () => {
  const sid = await commissioned(1);
  const info = (await query({ id: sid })).page;
  assert.deepEqual(info.events.map((e) => e.type), ["Ready", "Commissioning"], "newest first, INFO and above by default");
  const all = (await query({ id: sid, level: "DEBUG" })).page;
  assert.deepEqual(all.events.map((e) => e.type), ["Ready", "Commissioning", "User starting node commissioning"]);
  const req = all.events[2]!;
  assert.deepEqual([req.level, req.description, req.username, req.node, req.hostname], ["DEBUG", "(admin)", "admin", sid, "node-0001"]);
  assert.equal(all.events[0]!.username, "unknown", "events no user caused");
  assert.match(all.events[0]!.created, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\. \d{4} \d\d:\d\d:\d\d$/);
  assert.ok(all.events[0]!.id > all.events[1]!.id);
  assert.equal(((await sim.api("GET", `machines/${sid}/`)).json() as { status_message: string }).status_message, "Ready");
});

test("deploy and release: acquire, start, Deploying, Image Deployed, Deployed; the release comment in its event; Releasing, Released", async () => {
  const sid = await commissioned(6);
  const deploy = await sim.api("POST", `machines/${sid}/`, { op: "deploy", distro_series: "jammy" });
  assert.equal(deploy.status, 200, deploy.body);
  await waitStatus(sid, "Deployed");
  const rel = await sim.api("POST", `machines/${sid}/`, { op: "release", comment: "done with it" });
  assert.equal((rel.json() as { status_name: string }).status_name, "Ready", "manual power: released at once");
  const evs = (await query({ id: sid, level: "DEBUG" })).page.events.reverse();
  const types = evs.map((e) => e.type);
  assert.deepEqual(types.slice(types.indexOf("User acquiring node")), ["User acquiring node", "User starting deployment", "Deploying", "Image Deployed", "Deployed", "User releasing node", "Releasing", "Released"]);
  assert.equal(evs.find((e) => e.type === "Image Deployed")!.description, "deployed ubuntu/jammy/amd64/generic");
  assert.equal(evs.find((e) => e.type === "User releasing node")!.description, "(admin) - done with it");
});

test("a failed commissioning names its reason (the fault's text) in a Script event, then Failed commissioning", async () => {
  const sid = await commissioned(2, "Failed commissioning");
  const evs = (await query({ hostname: "node-0002" })).page.events;
  assert.deepEqual(evs.slice(0, 2).map((e) => [e.type, e.description]), [["Failed commissioning", ""], ["Script", "lshw found no disk controller"]]);
  assert.equal(((await sim.api("GET", `machines/${sid}/`)).json() as { status_message: string }).status_message, "Failed commissioning");
});

test("a failed test run names the script and disk that failed (MAAS's '<script> on <disk> failed')", async () => {
  await commissioned(3, "Failed testing");
  const evs = (await query({ hostname: "node-0003" })).page.events;
  assert.deepEqual(evs.slice(0, 2).map((e) => [e.type, e.description]), [["Failed testing", ""], ["Script", "smartctl-validate on sda failed"]]);
});

test("a failed deployment: ERROR 'Marking node failed' with MAAS's installation text, also in error_description and status_message", async () => {
  const sid = await commissioned(4);
  await sim.api("POST", `machines/${sid}/`, { op: "deploy" });
  const m = await waitStatus(sid, "Failed deployment");
  const text = "Installation failed (refer to the installation log for more information).";
  assert.equal(m.error_description, text);
  assert.equal(m.status_message, `Marking node failed - ${text}`);
  const errors = (await query({ id: sid, level: "ERROR" })).page.events;
  assert.deepEqual(errors.map((e) => [e.type, e.level, e.description]), [["Marking node failed", "ERROR", text]]);
});

test("a failed disk erasing gives the fault's reason", async () => {
  const sid = await commissioned(5);
  await sim.api("POST", `machines/${sid}/`, { op: "deploy" });
  await waitStatus(sid, "Deployed");
  await sim.api("POST", `machines/${sid}/`, { op: "release", erase: "true" });
  const m = await waitStatus(sid, "Failed disk erasing");
  assert.equal(m.error_description, "wipe-disks: sda is write protected");
  const types = (await query({ id: sid, level: "DEBUG", limit: "3" })).page.events.map((e) => [e.type, e.description]);
  assert.deepEqual(types, [["Marking node failed", "wipe-disks: sda is write protected"], ["User erasing disk", "(admin)"], ["Deployed", ""]]);
});

test("filters and paging: limit, after/before windows, next_uri/prev_uri as MAAS builds them, mac_address, owner", async () => {
  const all = (await query({ level: "DEBUG", limit: "1000" })).page.events;
  assert.ok(all.length >= 20);
  const page1 = (await query({ level: "DEBUG", limit: "5" })).page;
  assert.equal(page1.count, 5);
  assert.deepEqual(page1.events.map((e) => e.id), all.slice(0, 5).map((e) => e.id), "the newest five");
  assert.equal(page1.next_uri, `/MAAS/api/2.0/events/?op=query&level=DEBUG&limit=5&after=${page1.events[0]!.id}`);
  assert.equal(page1.prev_uri, `/MAAS/api/2.0/events/?op=query&level=DEBUG&limit=5&before=${page1.events[4]!.id}`);
  const page2 = (await query({ level: "DEBUG", limit: "5", before: String(page1.events[4]!.id) })).page;
  assert.deepEqual(page2.events.map((e) => e.id), all.slice(5, 10).map((e) => e.id), "the next five older ones");
  const oldest = all[all.length - 1]!.id;
  const afterOldest = (await query({ level: "DEBUG", limit: "3", after: String(oldest) })).page;
  assert.deepEqual(afterOldest.events.map((e) => e.id), all.slice(-4, -1).map((e) => e.id), "the three just newer, newest first");
  const none = (await query({ level: "DEBUG", after: String(all[0]!.id) })).page;
  // with nothing newer MAAS drops `after` from next_uri (api/events.py: "there may be later")
  assert.deepEqual([none.count, none.next_uri, none.prev_uri], [0, "/MAAS/api/2.0/events/?op=query&level=DEBUG", `/MAAS/api/2.0/events/?op=query&level=DEBUG&before=${all[0]!.id + 1}`]);
  const byMac = (await query({ mac_address: "52:54:00:00:00:01", level: "DEBUG" })).page.events;
  assert.ok(byMac.length > 0 && byMac.every((e) => e.hostname === "node-0001"));
  const byOwner = (await query({ owner: "admin", level: "DEBUG" })).page.events;
  assert.ok(byOwner.length > 0 && byOwner.every((e) => e.username === "admin" && e.type.startsWith("User ")));
});

test("errors: limit over 1000, after with before, an unknown level, a bad MAC, a non-integer id bound", async () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ limit: "1001" }, "Requested number of events 1001 is greater than limit: 1000"],
    [{ after: "1", before: "9" }, "There is undetermined behaviour when both `after` and `before` are specified."],
    [{ level: "LOUD" }, "Unrecognised log level: LOUD"],
    [{ mac_address: "zz:zz" }, "Invalid MAC address(es): zz:zz"],
    [{ after: "x" }, "Invalid after: Please enter an integer value"],
  ];
  for (const [params, text] of cases) {
    const r = await query(params);
    assert.equal(r.status, 400, JSON.stringify(params));
    assert.equal(r.body, text);
  }
});

test("a non-admin sees the events of the machines it may see only", async () => {
  const admins = (await query({ level: "DEBUG", limit: "1000" })).page.events;
  const owned = admins.find((e) => e.hostname === "node-0006")!.node;
  await sim.api("POST", "machines/", { op: "allocate", system_id: owned });
  const mine = (await query({ level: "DEBUG", limit: "1000" }, "alice")).page.events;
  assert.ok(mine.length > 0);
  assert.ok(!mine.some((e) => e.node === owned), "events of the admin's allocated machine are not shown to alice");
  assert.ok(admins.some((e) => e.node === owned));
});
