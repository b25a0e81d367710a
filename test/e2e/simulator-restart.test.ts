// The real engine against a simulator process that dies mid-rollout: `up` two machines, SIGKILL the
// simulator while the first deployment runs, start it again from its --state file on the same port, and
// the next `up` converges (both machines Deployed, each hostname enlisted once).
import { after, before, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as auto from "@pulumi/pulumi/automation";
import { openMaasStack } from "../../stacks/runner";
import { startSimulatorProcess, type SimulatorProcess } from "../helpers/simulator";

// the harness's fast settings: poll every 0.2 s, a few retries
const FAST_CONFIG: Record<string, string> = { "maas:pollInterval": "0.2", "maas:maxRetries": "5" };
const ipmi = (addr: string) => ({ power_address: addr, power_user: "root", power_pass: "s3cret-bmc" });
const twoMachines = {
    actions: ["create_machine", "set_power", "commission", "deploy"],
    machines: [
        { hostname: "node01", pxe_mac: "aa:bb:cc:dd:ee:ff", power_type: "ipmi", power_parameters: ipmi("10.0.0.100"), distro_series: "jammy" },
        { hostname: "node02", pxe_mac: "aa:bb:cc:dd:ef:00", power_type: "ipmi", power_parameters: ipmi("10.0.0.101"), distro_series: "jammy" },
    ],
};

/** Long-polls the simulator's admin event stream until `event` appears. */
async function waitForSimEvent(sim: SimulatorProcess, event: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let after = 0;
    while (Date.now() < deadline) {
        const res = await fetch(`${sim.url.replace(/\/MAAS$/, "")}/_sim/events?after=${after}&timeout=${Math.max(1, deadline - Date.now())}`, {
            headers: { Authorization: `Bearer ${sim.adminToken}` },
        });
        const { events } = (await res.json()) as { events: Array<{ seq: number; event: string }> };
        if (events.some((e) => e.event === event)) return;
        after = Math.max(after, ...events.map((e) => e.seq));
    }
    throw new Error(`no ${event} from the simulator within ${timeoutMs} ms`);
}

describe("the simulator killed mid-rollout and restarted from its state file", { timeout: 600_000 }, () => {
    let dir: string;
    let sim: SimulatorProcess | undefined;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "maas-e2e-restart-"));
    });
    after(async () => {
        if (sim && sim.child.exitCode === null && sim.child.signalCode === null) {
            sim.child.kill("SIGKILL");
            await sim.exited;
        }
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("the next up converges: both machines Deployed, no machine enlisted twice", async () => {
        const stateFile = path.join(dir, "maas-state.json");
        const simArgs = ["--speed", "100", "--state", stateFile, "--quiet"];
        sim = await startSimulatorProcess(["--port", "0", ...simArgs]);
        const { url, apiKey, port } = sim;
        const inputFile = path.join(dir, "two.json");
        fs.writeFileSync(inputFile, JSON.stringify(twoMachines, null, 2));
        const { stack, runOptions } = await openMaasStack({
            inputFile,
            stackName: "restart",
            workDir: path.join(dir, "project"),
            stateDir: path.join(dir, "state"),
            homeDir: path.join(dir, "home"),
            apiUrl: url,
            apiKey,
            config: FAST_CONFIG,
            progress: "json",
        });
        let firstLog = "";
        const firstUp = stack.up({ ...runOptions, onOutput: (s) => (firstLog += s) }).then(
            (r: auto.UpResult) => ({ ok: true as const, r }),
            (e: unknown) => ({ ok: false as const, e }),
        );

        await waitForSimEvent(sim, "deploy-accepted", 300_000);
        sim.child.kill("SIGKILL");
        await sim.exited;
        sim = await startSimulatorProcess(["--port", String(port), ...simArgs]);
        assert.equal(sim.url, url, "restarted on the same port");
        assert.equal(sim.apiKey, apiKey, "the API key came back from the state file");

        const first = await firstUp;
        let secondLog = "";
        const second = await stack.up({ ...runOptions, onOutput: (s) => (secondLog += s) });
        assert.equal(second.summary.result, "succeeded", `second up:\n${secondLog}\n--- first up (${first.ok ? "succeeded" : "failed"}) ---\n${firstLog}`);

        const machines = (await sim.api("GET", "machines/")).json() as Array<{ hostname: string; status_name: string }>;
        for (const host of ["node01", "node02"]) {
            const mine = machines.filter((m) => m.hostname === host);
            assert.equal(mine.length, 1, `${host} enlisted once (machines: ${machines.map((m) => m.hostname).join(", ")})`);
            assert.equal(mine[0]!.status_name, "Deployed", `${host} is Deployed`);
        }
        const outputs = (await stack.outputs()).machines?.value as Record<string, { status: string }>;
        assert.equal(outputs.node01?.status, "Deployed");
        assert.equal(outputs.node02?.status, "Deployed");
    });
});
