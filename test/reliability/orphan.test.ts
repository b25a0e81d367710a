// The strict form of the crash promise: `kill -9 -<pgid>` of the process group that runs `pulumi up`
// (what a closed terminal or a CI runner's cleanup does) must leave nothing calling MAAS.
// The pulumi CLI starts the dynamic-provider process in a process group of its own; the provider
// watches the engine's address and exits once it is gone (provider/src/runtime/lifeline.ts).
import { test } from "node:test";
import { runCrashScenario } from "./crash-scenario";

test("SIGKILL of the runner's process group alone leaves no provider calling MAAS", { timeout: 300_000 }, async (t) => {
    const r = await runCrashScenario(3, { event: "deploy-accepted", n: 1, phase: "up" }, { kill: "group", log: (s) => t.diagnostic(s) });
    t.diagnostic(JSON.stringify(r));
});
