/**
 * npm run bench:watcher — the fleet watcher against the simulator with 10, 100 and 1,000 machines
 * commissioning at once. Prints, per fleet size, the poll requests per interval (counted by the
 * simulator's /_sim/stats, not by the client) and the client's CPU time per poll, and checks that every
 * wait ended on a transition the simulator recorded. The last line is JSON:
 *   {"requestsPerInterval": {"10": …, "100": …, "1000": …}}
 */
import { startTestSimulator, type SimStats } from "../test/helpers/simulator";
import type * as M from "@maas-automation/provider/dist/maas";
// Compiled (dist/bench) the provider's build is used; under tsx the sources.
const maas = require(__filename.endsWith(".ts") ? "../provider/src/maas" : "@maas-automation/provider/dist/maas") as typeof M;

const SIZES = [10, 100, 1000];
const POLL_MS = Number(process.env.BENCH_POLL_MS ?? 1000);
/** Simulator speed: commissioning (~5 virtual minutes) lasts about 6 s of wall clock. */
const SPEED = Number(process.env.BENCH_SPEED ?? 50);

interface Row {
  machines: number;
  polls: number;
  listRequests: number;
  requestsPerInterval: number;
  cpuMsPerPoll: number;
  waitSeconds: number;
  ok: boolean;
}

const listRequests = (s: SimStats) => s.requests.filter((r) => r.method === "GET" && r.route === "machines/").reduce((a, r) => a + r.count, 0);

async function run(n: number): Promise<Row> {
  const sim = await startTestSimulator({ machines: n, speed: SPEED, seed: 7 });
  const c = new maas.MaasClient({ apiUrl: sim.url, apiKey: sim.apiKey, pollIntervalMs: POLL_MS, maxRetries: 5 });
  try {
    const inv = await sim.inventory();
    const created = await Promise.all(
      inv.servers.map((s) =>
        c.createMachine({
          hostname: s.hostname,
          architecture: "amd64/generic",
          macAddresses: s.macs,
          powerType: "ipmi",
          powerParameters: { power_address: s.bmcAddress, power_user: "admin", power_pass: "bench" },
        }),
      ),
    );
    const before = listRequests(await sim.stats());
    const w0 = c.watcher.stats();
    const t0 = Date.now();
    const results = await Promise.allSettled(
      created.map((m) => c.watcher.waitFor({ systemId: m.system_id, hostname: m.hostname, target: ["Ready"], timeoutMs: 600_000, operation: "commission" })),
    );
    const waitSeconds = (Date.now() - t0) / 1000;
    const stats = await sim.stats();
    const w1 = c.watcher.stats();
    const polls = w1.polls - w0.polls;
    const lists = listRequests(stats) - before;
    let ok = true;
    results.forEach((r, i) => {
      const id = created[i]!.system_id;
      if (r.status === "rejected") {
        ok = false;
        console.error(`  ${created[i]!.hostname}: ${(r.reason as Error).message}`);
      } else if (!(stats.machines[id]?.transitions ?? []).some((t) => t.to === r.value.status_name)) {
        ok = false;
        console.error(`  ${created[i]!.hostname}: ended on ${r.value.status_name}, which the simulator did not record`);
      }
    });
    return {
      machines: n,
      polls,
      listRequests: lists,
      requestsPerInterval: polls ? Math.round((lists / polls) * 100) / 100 : 0,
      cpuMsPerPoll: polls ? Math.round(((w1.cpuMicros - w0.cpuMicros) / polls / 1000) * 100) / 100 : 0,
      waitSeconds: Math.round(waitSeconds * 10) / 10,
      ok,
    };
  } finally {
    await c.close();
    await sim.close();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const n of SIZES) rows.push(await run(n));
  const head = ["machines", "polls", "list requests", "requests/interval", "client CPU ms/poll", "wait s", "waits ok"];
  const table = rows.map((r) => [r.machines, r.polls, r.listRequests, r.requestsPerInterval, r.cpuMsPerPoll, r.waitSeconds, r.ok ? "yes" : "NO"].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((t) => t[i]!.length)));
  const line = (cells: string[]) => "| " + cells.map((c, i) => c.padStart(widths[i]!)).join(" | ") + " |";
  console.log(`poll interval ${POLL_MS} ms, simulator speed ${SPEED}x; CPU = client parse + dispatch of poll answers`);
  console.log(line(head));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const t of table) console.log(line(t));
  console.log(JSON.stringify({ requestsPerInterval: Object.fromEntries(rows.map((r) => [String(r.machines), r.requestsPerInterval])) }));
  if (rows.some((r) => !r.ok)) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
