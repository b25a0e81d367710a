// How this project runs the Pulumi engine: offline, on a local file backend, with the engine that
// tools/engine.sh provides, and programs as Automation API inline programs (the Go module proxy does
// not serve the Node.js language host, see README "Engine").
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as auto from "@pulumi/pulumi/automation";

/** The repository root: the nearest directory above this file with the project's package.json. */
export const projectRoot = findProjectRoot(__dirname);

function findProjectRoot(start: string): string {
    for (let dir = start; ; dir = path.dirname(dir)) {
        const manifest = path.join(dir, "package.json");
        if (fs.existsSync(manifest) && JSON.parse(fs.readFileSync(manifest, "utf8")).name === "maas-automation") return dir;
        if (path.dirname(dir) === dir) throw new Error(`cannot find the maas-automation project above ${start}`);
    }
}

/** Documented passphrase of the local development backends. Not a secret of the operator's. */
export const DEV_PASSPHRASE = "maas-automation-dev";

export const PROJECT_NAME = "maas-automation";

export interface EngineLocation {
    /** Directory holding bin/pulumi (what PulumiCommand.get wants as root). */
    root: string;
    binDir: string;
}

/** Finds the engine tools/engine.sh prepared: $MAAS_PULUMI_BIN_DIR, the versioned cache, or PATH. */
export function locateEngine(): EngineLocation {
    const fromEnv = process.env.MAAS_PULUMI_BIN_DIR;
    const candidates: string[] = [];
    if (fromEnv) candidates.push(fromEnv);
    const version = fs.readFileSync(path.join(projectRoot, "tools", "engine.version"), "utf8").trim();
    const hostVersion = fs.readFileSync(path.join(projectRoot, "tools", "language-host.version"), "utf8").trim();
    const cacheRoot = process.env.MAAS_AUTOMATION_CACHE
        ?? path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "maas-automation");
    candidates.push(path.join(cacheRoot, `pulumi-v${version}-nodejs-v${hostVersion}`, "bin"), path.join(cacheRoot, "installed", "bin"));
    for (const dir of (process.env.PATH ?? "").split(path.delimiter)) if (dir) candidates.push(dir);
    for (const binDir of candidates) {
        if (fs.existsSync(path.join(binDir, "pulumi"))) return { root: path.dirname(binDir), binDir };
    }
    throw new Error("No Pulumi engine found: run `bash tools/bootstrap.sh` (it builds one) or put pulumi on PATH");
}

export interface BackendOptions {
    /** Directory of the file backend's state (default: <repo>/.pulumi-state). */
    stateDir?: string;
    /** PULUMI_HOME (default: <repo>/.pulumi-home). */
    homeDir?: string;
    passphrase?: string;
    /**
     * "every-step" (default): the engine writes the whole checkpoint after every step, which is what
     * lets a killed run resume from its pending operations; its cost grows with the square of the
     * fleet on a file backend. "end-only": written once at the end (PULUMI_SKIP_CHECKPOINTS); a killed
     * run then leaves no record of its steps, and recovery relies on the providers finding their own
     * machines again (by marker, by agent_name, by an identical layout).
     */
    checkpoints?: "every-step" | "end-only";
}

/** Environment for every engine command: offline, local backend, no update checks or downloads. */
export function engineEnv(opts: BackendOptions = {}): Record<string, string> {
    const stateDir = opts.stateDir ?? path.join(projectRoot, ".pulumi-state");
    const homeDir = opts.homeDir ?? path.join(projectRoot, ".pulumi-home");
    fs.mkdirSync(stateDir, { recursive: true });
    fs.mkdirSync(homeDir, { recursive: true });
    const engine = locateEngine();
    return {
        PULUMI_BACKEND_URL: `file://${stateDir}`,
        PULUMI_HOME: homeDir,
        PULUMI_CONFIG_PASSPHRASE: opts.passphrase || process.env.PULUMI_CONFIG_PASSPHRASE || DEV_PASSPHRASE,
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        PULUMI_DIY_BACKEND_DISABLE_CHECKPOINT_BACKUPS: "1",
        PULUMI_SKIP_CONFIRMATIONS: "true",
        PATH: `${engine.binDir}${path.delimiter}${process.env.PATH ?? ""}`,
        ...(opts.checkpoints === "end-only" ? { PULUMI_SKIP_CHECKPOINTS: "true" } : {}),
    };
}

export interface OpenStackOptions extends BackendOptions {
    stackName: string;
    program: auto.PulumiFn;
    /** Where Pulumi.yaml / Pulumi.<stack>.yaml live (default: the repo root). */
    workDir?: string;
    projectName?: string;
    /** Extra environment for the engine and the providers it starts (e.g. MAAS_API_URL). */
    env?: Record<string, string>;
}

/**
 * Creates or selects a stack whose program runs inline in this process. The provider processes the
 * engine starts run with the repo root as working directory, so they resolve @pulumi/pulumi and
 * @maas-automation/provider from its node_modules.
 */
export async function openStack(opts: OpenStackOptions): Promise<auto.Stack> {
    const env = { ...engineEnv(opts), ...(opts.env ?? {}) };
    // The inline-program plumbing also reads these from this process's environment.
    for (const [k, v] of Object.entries(env)) if (k.startsWith("PULUMI_")) process.env[k] = v;
    if (!env.PULUMI_SKIP_CHECKPOINTS) delete process.env.PULUMI_SKIP_CHECKPOINTS;
    const engine = locateEngine();
    const pulumiCommand = await auto.PulumiCommand.get({ root: engine.root });
    const workDir = opts.workDir ?? projectRoot;
    const projectName = opts.projectName ?? PROJECT_NAME;
    fs.mkdirSync(workDir, { recursive: true });
    // A Pulumi.yaml already in workDir (the repo's own) is used as it is; elsewhere one is written.
    const projectSettings: auto.ProjectSettings | undefined = fs.existsSync(path.join(workDir, "Pulumi.yaml"))
        ? undefined
        : { name: projectName, runtime: "nodejs", main: projectRoot };
    return auto.LocalWorkspace.createOrSelectStack(
        { stackName: opts.stackName, projectName, program: opts.program },
        { workDir, pulumiCommand, envVars: env, ...(projectSettings ? { projectSettings } : {}) },
    );
}
