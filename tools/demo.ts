// The README's main command: start the embedded MAAS simulator, then `pulumi preview` and `pulumi up`
// of the example stack against it, and say what happened and where to look.
import * as fs from "node:fs";
import * as path from "node:path";
import { startSimulator } from "../simulator";
import { openMaasStack } from "../stacks/runner";
import { projectRoot } from "../stacks/automation";
import { parseProgressLine } from "@maas-automation/provider";

async function main(): Promise<void> {
    const inputFile = process.argv[2] ?? path.join(projectRoot, "examples", "example_input.json");
    // The simulator lives only as long as this command, so the demo's state starts empty every run.
    const stateDir = path.join(projectRoot, ".pulumi-state", "demo");
    fs.rmSync(stateDir, { recursive: true, force: true });
    const sim = await startSimulator({ port: 0, speed: Number(process.env.MAAS_SIM_SPEED ?? 60), quiet: true });
    console.log(`MAAS simulator listening at ${sim.url}`);
    try {
        const { stack, runOptions } = await openMaasStack({
            inputFile,
            stackName: "dev",
            stateDir,
            apiUrl: sim.url,
            apiKey: sim.apiKey,
        });
        const print = (line: string) => {
            const progress = parseProgressLine(line);
            if (progress) {
                console.log(`  ${progress.host} ${progress.systemId ?? ""}: ${progress.state} (${progress.elapsedS}s${progress.timeoutS ? ` of ${progress.timeoutS}s` : ""}) ${progress.message}`);
            } else process.stdout.write(line.endsWith("\n") ? line : line + "\n");
        };
        console.log("\n=== pulumi preview ===");
        await stack.preview({ ...runOptions, onOutput: print });
        console.log("\n=== pulumi up ===");
        const up = await stack.up({ ...runOptions, onOutput: print });
        console.log(`\nOutcome: ${up.summary.result}`);
        console.log(JSON.stringify(up.outputs.machines?.value ?? {}, null, 2));
        console.log(`\nState: ${stateDir} (stack "dev"); input: ${inputFile}`);
    } finally {
        await sim.close();
    }
}

main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
});
