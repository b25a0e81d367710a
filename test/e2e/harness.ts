// End-to-end harness: a simulator over real HTTP, a private file backend, and the stack program run by
// the real engine through the same runner the README's commands use.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type * as auto from "@pulumi/pulumi/automation";
import { startTestSimulator } from "../helpers/simulator";
import { openMaasStack } from "../../stacks/runner";
import { parseProgressLine } from "@maas-automation/provider";

export type TestSimulator = Awaited<ReturnType<typeof startTestSimulator>>;

export interface E2E {
    sim: TestSimulator;
    dir: string;
    writeInput(name: string, content: unknown): string;
    open(stackName: string, inputFile: string, config?: Record<string, string>): Promise<Stack>;
    close(): Promise<void>;
}

export interface Stack {
    stack: auto.Stack;
    up(opts?: auto.UpOptions): Promise<auto.UpResult & { log: string }>;
    preview(opts?: auto.PreviewOptions): Promise<auto.PreviewResult & { log: string }>;
    destroy(opts?: auto.DestroyOptions): Promise<auto.DestroyResult & { log: string }>;
    refresh(opts?: auto.RefreshOptions): Promise<auto.RefreshResult & { log: string }>;
    outputs(): Promise<Record<string, { hostname: string; systemId: string; status: string; ipAddresses: string[] }>>;
}

/** Fast settings: simulated MAAS time runs `speed` times faster, polls every 0.2 s. */
export const FAST_CONFIG: Record<string, string> = { "maas:pollInterval": "0.2", "maas:maxRetries": "5" };

export async function startE2E(simOptions: Parameters<typeof startTestSimulator>[0] = {}): Promise<E2E> {
    const sim = await startTestSimulator({ speed: 3000, ...simOptions });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "maas-e2e-"));
    return {
        sim,
        dir,
        writeInput(name, content) {
            const file = path.join(dir, name);
            fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
            return file;
        },
        async open(stackName, inputFile, config = {}) {
            const { stack, runOptions } = await openMaasStack({
                inputFile,
                stackName,
                workDir: path.join(dir, "project"),
                stateDir: path.join(dir, "state"),
                homeDir: path.join(dir, "home"),
                apiUrl: sim.url,
                apiKey: sim.apiKey,
                config: { ...FAST_CONFIG, ...config },
                progress: "json",
            });
            const withLog = <T extends object>(run: (onOutput: (s: string) => void) => Promise<T>) => async () => {
                let log = "";
                try {
                    const result = await run((s) => (log += s));
                    return Object.assign(result, { log });
                } catch (e) {
                    if (e instanceof Error) e.message += `\n--- engine output ---\n${log}`;
                    throw e;
                }
            };
            return {
                stack,
                up: (opts = {}) => withLog((onOutput) => stack.up({ ...runOptions, ...opts, onOutput }))(),
                preview: (opts = {}) => withLog((onOutput) => stack.preview({ ...runOptions, ...opts, onOutput }))(),
                destroy: (opts = {}) => withLog((onOutput) => stack.destroy({ ...runOptions, ...opts, onOutput }))(),
                refresh: (opts = {}) => withLog((onOutput) => stack.refresh({ ...opts, onOutput }))(),
                async outputs() {
                    const o = await stack.outputs();
                    return (o.machines?.value ?? {}) as never;
                },
            };
        },
        async close() {
            await sim.close();
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

export function progressStates(log: string, host: string): string[] {
    return log.split("\n").map(parseProgressLine).filter((p) => p && p.host === host).map((p) => p!.state);
}
