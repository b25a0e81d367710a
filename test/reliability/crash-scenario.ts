// One crash scenario, shared by test/reliability/crash.test.ts (3 machines, 4 moments) and
// tools/crash-matrix.ts (20 machines, 4 named + 10 seeded moments):
//   1. the simulator holds the HTTP answer that produces the chosen event (pauseOn),
//   2. the whole process group of `pulumi up` (or `destroy`) is SIGKILLed right after the event,
//   3. the held answer is released and nobody may keep calling MAAS (no orphan provider),
//   4. the documented recovery runs: `pulumi cancel` (stale lock), `pulumi refresh
//      --clear-pending-creates`, then `pulumi up` (or `destroy` again),
//   5. the invariants hold: no duplicate, no stranger, no phantom, no disk erased unasked, a deploy
//      accepted at most once per machine.
import * as assert from "node:assert/strict";
import { E2E, startE2E } from "../e2e/harness";
import {
    assertInvariants,
    deploysAccepted,
    erasedMachines,
    fleetInput,
    lastEventSeq,
    requestsDuring,
    runDetached,
    servers,
    waitForNth,
} from "./helpers";

export interface CrashPoint {
    /** Simulator event, e.g. "machine-enlisted". */
    event: string;
    /** Its n-th occurrence (counted from the simulator's start). */
    n: number;
    /** Which command is killed: a rollout (`up`) or a teardown (`destroy`, after a converged up). */
    phase: "up" | "destroy";
}

export interface CrashResult {
    point: string;
    machines: number;
    /** Recovery runs (up or destroy) needed after the documented refresh; 1 is the promise. */
    recoveryRuns: number;
    /** Whether `pulumi cancel` found a lock to remove. */
    lockCleared: boolean;
    pendingOpsAtCrash: number;
    /** API requests that reached MAAS in the 2 s after the kill (must be 0). */
    requestsAfterKill: number;
    wallS: number;
}

export function describePoint(p: CrashPoint): string {
    return `${p.phase}@${p.event}:${p.n}`;
}

export interface CrashOptions {
    /**
     * "tree" (default): SIGKILL the runner's process group and the groups of all its descendants
     * (the pulumi CLI starts the dynamic provider in a group of its own). "group": only the runner's
     * process group, as `kill -9 -<pgid>` of a terminal does.
     */
    kill?: "tree" | "group";
    log?: (s: string) => void;
}

export async function runCrashScenario(machines: number, point: CrashPoint, o: CrashOptions = {}): Promise<CrashResult> {
    const started = Date.now();
    const e2e = await startE2E({ machines, speed: 3000 });
    try {
        return await scenario(e2e, machines, point, o.log ?? (() => undefined), started, o.kill ?? "tree");
    } finally {
        await e2e.close();
    }
}

async function scenario(e2e: E2E, n: number, point: CrashPoint, log: (s: string) => void, started: number, kill: "tree" | "group"): Promise<CrashResult> {
    const fleet = await servers(e2e, n);
    const hosts = fleet.map((s) => s.hostname);
    const file = e2e.writeInput("fleet.json", fleetInput(fleet, { storage: true }));
    const stackName = "crash";
    if (point.phase === "destroy") {
        const s = await e2e.open(stackName, file);
        const up = await s.up();
        assert.equal(up.summary.result, "succeeded", up.log);
    }
    await e2e.sim.resetStats();
    await e2e.sim.setFaults({ pauseOn: [`${point.event}:${point.n}`] });
    const cursor = await lastEventSeq(e2e);
    // Occurrences counted from the simulator's start, as pauseOn counts them.
    const before = (await e2e.sim.events(0, 0)).filter((ev) => ev.event === point.event).length;
    const runner = runDetached(e2e, { command: point.phase, inputFile: file, stackName });
    try {
        await waitForNth(e2e, point.event, point.n - before, cursor, runner);
    } catch (e) {
        runner.killTree();
        throw e;
    }
    let providerGroups: number[] = [];
    if (kill === "tree") providerGroups = runner.killTree();
    else runner.killGroup();
    await runner.exited;
    log(`killed ${describePoint(point)} (${kill}; ${providerGroups.length} plugin process group(s) of their own)`);
    await e2e.sim.setFaults({});
    await e2e.sim.resume();
    // In-flight answers settle, then nobody may be left calling MAAS.
    await new Promise((r) => setTimeout(r, 300));
    const requestsAfterKill = await requestsDuring(e2e, 2000);
    if (kill === "group") {
        const survivors = runner.liveForeignGroups();
        // Whatever the outcome, leave no orphan behind for the next test.
        runner.killTree();
        log(`plugin process groups alive 2.3 s after the group kill: ${survivors.length}`);
        assert.deepEqual(survivors, [], `the group kill left ${survivors.length} plugin process group(s) running (the dynamic provider runs in a group of its own and outlives the engine)`);
    }
    assert.equal(requestsAfterKill, 0, `after SIGKILL of the process group, something kept calling MAAS (${requestsAfterKill} requests in 2 s: an orphan provider)`);

    // The documented recovery.
    const s = await e2e.open(stackName, file);
    const exported = (await s.stack.exportStack()).deployment as { pending_operations?: unknown[] };
    const pendingOpsAtCrash = exported.pending_operations?.length ?? 0;
    let lockCleared = false;
    try {
        await s.stack.cancel();
        lockCleared = true;
    } catch {
        lockCleared = false;
    }
    const refresh = await s.refresh({ clearPendingCreates: true });
    assert.equal(refresh.summary.result, "succeeded", refresh.log);
    let recoveryRuns = 0;
    let lastLog = "";
    for (; recoveryRuns < 3; ) {
        recoveryRuns++;
        try {
            const r = point.phase === "up" ? await s.up() : await s.destroy();
            lastLog = r.log;
            if (r.summary.result === "succeeded") break;
        } catch (e) {
            lastLog = e instanceof Error ? e.message : String(e);
            log(`recovery run ${recoveryRuns} failed: ${lastLog.slice(0, 2000)}`);
        }
    }
    assert.equal(recoveryRuns, 1, `recovery needed ${recoveryRuns} runs:\n${lastLog.slice(-4000)}`);
    if (point.phase === "up") {
        await assertInvariants(e2e, s, { hosts, status: "Deployed", stackName });
        const deploys = await deploysAccepted(e2e);
        for (const h of hosts) assert.equal(deploys[h] ?? 0, 1, `${h}: MAAS accepted ${deploys[h] ?? 0} deploys (expected exactly 1)`);
    } else {
        await assertInvariants(e2e, s, { hosts: [], erasingAllowed: true, stackName });
        const left = (await e2e.sim.api("GET", "machines/")).json() as unknown[];
        assert.equal(left.length, 0, "destroy gave every machine back");
        const erased = erasedMachines(await e2e.sim.stats());
        assert.deepEqual(erased.sort(), [...hosts].sort(), "each released machine was erased as asked (release default: erase), once");
    }
    return {
        point: describePoint(point),
        machines: n,
        recoveryRuns,
        lockCleared,
        pendingOpsAtCrash,
        requestsAfterKill,
        wallS: Math.round((Date.now() - started) / 100) / 10,
    };
}
