// A separate process that opens the stack with openMaasStack and runs one engine command. The crash
// tests spawn it detached (its own process group: this process, the pulumi CLI and the
// dynamic-provider process the CLI starts) so that one `process.kill(-pid, "SIGKILL")` hits them all,
// as a killed terminal or a dead CI runner would.
//
//   node dist/test/reliability/runner.js '<json RunnerJob>'
import { openMaasStack } from "../../stacks/runner";

export interface RunnerJob {
    command: "up" | "destroy" | "refresh";
    inputFile: string;
    stackName: string;
    workDir: string;
    stateDir: string;
    homeDir: string;
    apiUrl: string;
    apiKey: string;
    config: Record<string, string>;
}

async function main(): Promise<void> {
    const job = JSON.parse(process.argv[2] ?? "{}") as RunnerJob;
    const { stack, runOptions } = await openMaasStack({
        inputFile: job.inputFile,
        stackName: job.stackName,
        workDir: job.workDir,
        stateDir: job.stateDir,
        homeDir: job.homeDir,
        apiUrl: job.apiUrl,
        apiKey: job.apiKey,
        config: job.config,
    });
    const onOutput = (s: string) => process.stdout.write(s);
    process.stdout.write(`runner-started ${process.pid}\n`);
    if (job.command === "up") await stack.up({ ...runOptions, onOutput });
    else if (job.command === "destroy") await stack.destroy({ ...runOptions, onOutput });
    else await stack.refresh({ onOutput });
}

main().then(
    () => process.exit(0),
    (e: unknown) => {
        process.stderr.write(`runner failed: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(1);
    },
);
