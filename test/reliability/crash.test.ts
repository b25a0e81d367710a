// Crashes at exact moments of a 3-machine rollout (and of its teardown): SIGKILL of the whole
// process group, no orphan left calling MAAS, then the documented recovery converges with nothing
// duplicated, stranded, invented or erased unasked. The full matrix (20 machines, 4 named + 10
// seeded moments) is tools/crash-matrix.ts.
import { describe, test } from "node:test";
import { CrashPoint, describePoint, runCrashScenario } from "./crash-scenario";

const MACHINES = 3;
export const NAMED_POINTS: CrashPoint[] = [
    { event: "machine-enlisted", n: 2, phase: "up" },
    { event: "partition-created", n: 1, phase: "up" },
    { event: "deploy-accepted", n: 2, phase: "up" },
    { event: "release-accepted", n: 1, phase: "destroy" },
];

const only = process.env.CRASH_POINT;

describe(`crash recovery (${MACHINES} machines, ${NAMED_POINTS.length} moments)`, { timeout: 900_000, concurrency: 2 }, () => {
    for (const point of NAMED_POINTS) {
        if (only && describePoint(point) !== only) continue;
        test(`SIGKILL at ${describePoint(point)}: no orphan; cancel, refresh --clear-pending-creates, one more run converges`, async (t) => {
            const r = await runCrashScenario(MACHINES, point, { log: (s) => t.diagnostic(s) });
            t.diagnostic(JSON.stringify(r));
        });
    }
});
