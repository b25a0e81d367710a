// The README's main command: start the embedded MAAS simulator, then `pulumi preview` and `pulumi up`
// of the example stack against it, and say what happened and where to look.
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator } from "../simulator";
import { openMaasStack } from "../stacks/runner";
import { projectRoot } from "../stacks/automation";
import { formatProgress, parseProgressLine } from "@maas-automation/provider/dist/runtime/progress";

/** Engine output as lines, each progress event once as text (the engine repeats them under Diagnostics). */
function printer(): (chunk: string) => void {
    const seen = new Set<string>();
    let pending = "";
    return (chunk) => {
        pending += chunk;
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) {
            const progress = parseProgressLine(line);
            if (!progress) console.log(line);
            else if (!seen.has(JSON.stringify(progress))) {
                seen.add(JSON.stringify(progress));
                console.log(`  ${formatProgress(progress)}`);
            }
        }
    };
}

async function main(): Promise<void> {
    const inputFile = process.argv[2] ?? path.join(projectRoot, "examples", "example_input.json");
    // The simulator lives only as long as this command, so the demo's state starts empty every run.
    const demoDir = path.join(projectRoot, ".maas-automation", "demo");
    fs.rmSync(demoDir, { recursive: true, force: true });
    const sim = await startSimulator({ port: 0, speed: Number(process.env.MAAS_SIM_SPEED ?? 60), quiet: true });
    console.log(`MAAS simulator listening at ${sim.url}`);
    try {
        const { stack, runOptions } = await openMaasStack({
            inputFile,
            stackName: "dev",
            stateDir: path.join(demoDir, "state"),
            workDir: path.join(demoDir, "project"),
            apiUrl: sim.url,
            apiKey: sim.apiKey,
            progress: "json",
        });
        console.log("\n=== pulumi preview ===");
        await stack.preview({ ...runOptions, onOutput: printer() });
        console.log("\n=== pulumi up ===");
        const up = await stack.up({ ...runOptions, onOutput: printer() });
        console.log(`\nOutcome: ${up.summary.result}`);
        console.log(JSON.stringify(up.outputs.machines?.value ?? {}, null, 2));
        console.log(`\nState: ${path.join(demoDir, "state")} (stack "dev"); input: ${inputFile}`);
    } finally {
        await sim.close();
    }
}

main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
});
