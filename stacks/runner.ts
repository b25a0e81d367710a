// Runs the stack program on the engine for a given input file: the one path shared by the README's
// demo, the CLI, the tests and the benchmark. Credentials from the file are handed to the engine's
// processes as environment variables (MAAS_API_URL / MAAS_API_KEY), so they are never written to the
// stack's config or state.
import * as path from "node:path";
import * as auto from "@pulumi/pulumi/automation";
import { BackendOptions, openStack, projectRoot } from "./automation";
import { maasProgram } from "./program";
import type { ProgressMode } from "@maas-automation/provider/dist/runtime/progress";
import { CredentialsFileError, FileCredentials, readFileCredentials } from "@maas-automation/provider/dist/credentials";

export interface RunnerOptions extends BackendOptions {
    inputFile: string;
    stackName: string;
    /** Where Pulumi.yaml and Pulumi.<stack>.yaml live (default: the repo root). */
    workDir?: string;
    /** MAAS to use when neither stack config nor the file names one. */
    apiUrl?: string;
    apiKey?: string;
    /** Extra stack config (`maas:pollInterval`, `maas:maxRetries`, `maas:allowRedeploy`, ...). */
    config?: Record<string, string>;
    env?: Record<string, string>;
    /** Refresh before every up, preview and destroy (default true). */
    refresh?: boolean;
    /** How the providers report progress; "json" for tools that parse it (parseProgressLine). */
    progress?: ProgressMode;
}

export interface StackHandle {
    stack: auto.Stack;
    /** Options every up/preview/destroy of this project uses: refresh first, so drift is seen. */
    runOptions: { parallel: number; continueOnError: boolean; refresh: boolean };
}

/** Engine parallelism: high enough that the engine never queues machines (Pulumi's default is 8 here). */
export const DEFAULT_PARALLEL = 256;

export async function openMaasStack(opts: RunnerOptions): Promise<StackHandle> {
    const inputFile = path.resolve(opts.inputFile);
    const env: Record<string, string> = { ...(opts.env ?? {}), ...(opts.progress ? { MAAS_AUTOMATION_PROGRESS: opts.progress } : {}) };
    const credentials = fileCredentials(inputFile);
    // The caller's explicit choice, then the environment, then the file.
    const apiUrl = opts.apiUrl || process.env.MAAS_API_URL || credentials.apiUrl;
    const apiKey = opts.apiKey || process.env.MAAS_API_KEY || credentials.apiKey;
    if (apiUrl) env.MAAS_API_URL = apiUrl;
    if (apiKey) env.MAAS_API_KEY = apiKey;
    const stack = await openStack({
        stackName: opts.stackName,
        program: maasProgram({ ...(apiUrl ? { apiUrl } : {}), ...(apiKey ? { apiKey } : {}) }),
        workDir: opts.workDir ?? projectRoot,
        env,
        ...(opts.stateDir ? { stateDir: opts.stateDir } : {}),
        ...(opts.homeDir ? { homeDir: opts.homeDir } : {}),
        ...(opts.passphrase ? { passphrase: opts.passphrase } : {}),
        ...checkpointMode(opts.checkpoints),
    });
    // Relative to the project when inside it, so the committed Pulumi.dev.yaml stays as it is.
    const relative = path.relative(projectRoot, inputFile);
    const inputSetting = relative.startsWith("..") || path.isAbsolute(relative) ? inputFile : relative;
    const config: Record<string, auto.ConfigValue> = { "maas:inputFile": { value: inputSetting } };
    for (const [k, v] of Object.entries(opts.config ?? {})) config[k] = { value: v };
    await stack.setAllConfig(config);
    return { stack, runOptions: { parallel: DEFAULT_PARALLEL, continueOnError: true, refresh: opts.refresh ?? true } };
}

/** The caller's choice, else MAAS_AUTOMATION_CHECKPOINTS=end-only|every-step, else every step. */
function checkpointMode(choice: RunnerOptions["checkpoints"]): { checkpoints?: "every-step" | "end-only" } {
    const fromEnv = process.env.MAAS_AUTOMATION_CHECKPOINTS;
    if (choice) return { checkpoints: choice };
    if (fromEnv === "end-only" || fromEnv === "every-step") return { checkpoints: fromEnv };
    if (fromEnv) throw new Error(`MAAS_AUTOMATION_CHECKPOINTS: expected end-only or every-step, got "${fromEnv}"`);
    return {};
}

/** The file's own maas_api_url / maas_api_key; a file that cannot be read is reported by the program. */
function fileCredentials(inputFile: string): FileCredentials {
    try {
        return readFileCredentials(inputFile);
    } catch (e) {
        if (e instanceof CredentialsFileError) return {};
        throw e;
    }
}
