// The operator's command line: parse flags, validate the file, pick targets, then one engine
// operation (preview, up or destroy) of the project's stack program through the Automation API.
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { randomBytes } from "node:crypto";
import * as os from "node:os";
import type * as auto from "@pulumi/pulumi/automation";
import * as YAML from "yaml";
import { loadInputFile, type InputFile } from "../stacks/input";
import { planFromInput } from "../stacks/plan";
import type { StackHandle } from "../stacks/runner";
import { CliOptions, UsageError, helpText, parseArgs } from "./args";
import { listMachines, machineTable, maasCredentials, withClient } from "./list";
import { MachineResult, Outcome, RunSummary, oneLine, summaryTable } from "./output";
import { ProgressView } from "./progress";
import { HOLDING_STATES, REFUSAL_MARK } from "@maas-automation/provider/dist/runtime/policy";
import { DELETE_PARTS, HostResources, Part, STAGE_ACTION, parseUrn, prerequisites, stagePart } from "./targets";

export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;

export interface Io {
    stdout: NodeJS.WriteStream;
    stderr: NodeJS.WriteStream;
    stdin: NodeJS.ReadStream;
}

/** Same as stacks/automation.ts PROJECT_NAME (not imported: that module loads the engine's SDK). */
const PROJECT_NAME = "maas-automation";


class Refused extends Error {}

export async function main(argv: readonly string[], io: Io = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin }): Promise<number> {
    let opts: CliOptions;
    try {
        opts = parseArgs(argv);
    } catch (e) {
        if (e instanceof UsageError) {
            io.stderr.write(`maas-automation: ${e.message}\n`);
            return EXIT.usage;
        }
        throw e;
    }
    if (opts.help) {
        io.stdout.write(helpText() + "\n");
        return EXIT.ok;
    }
    const cli = new Cli(opts, io);
    try {
        return await cli.run();
    } catch (e) {
        if (e instanceof UsageError) {
            io.stderr.write(`maas-automation: ${e.message}\n`);
            return EXIT.usage;
        }
        if (e instanceof Refused) {
            io.stderr.write(`maas-automation: ${e.message}\n`);
            return EXIT.refused;
        }
        io.stderr.write(`maas-automation: ${e instanceof Error ? e.message : String(e)}\n`);
        return EXIT.failed;
    }
}

interface HostTrack {
    h: HostResources;
    start?: number;
    end?: number;
    changed: boolean;
    failed: boolean;
    errors: string[];
    blocked?: string;
    /** The destructive-change policy refused its change (the repair waits for --yes). */
    refused: boolean;
    targeted: boolean;
}

class Cli {
    private readonly started = Date.now();
    private readonly warnings: string[] = [];
    private readonly out: NodeJS.WriteStream;
    private input!: InputFile;
    private inputFile!: string;
    private hosts: HostResources[] = [];
    private track = new Map<string, HostTrack>();
    private handle?: StackHandle;
    private changes: Record<string, number> = {};
    private targets: string[] = [];

    constructor(
        private readonly o: CliOptions,
        private readonly io: Io,
    ) {
        this.out = o.json ? io.stderr : io.stdout;
    }

    private info(s: string): void {
        this.out.write(s + "\n");
    }

    private warn(s: string): void {
        if (!this.warnings.includes(s)) {
            this.warnings.push(s);
            this.io.stderr.write(`warning: ${s}\n`);
        }
    }

    async run(): Promise<number> {
        this.inputFile = path.resolve(this.o.input);
        if (!fs.existsSync(this.inputFile)) throw new UsageError(`-i/--input: ${this.o.input}: no such file`);
        const loaded = loadInputFile(this.inputFile);
        if (!loaded.ok) {
            const lines = loaded.errors.map((e) => `  ${e.path}: ${e.message}`).join("\n");
            throw new UsageError(`${this.o.input} is not valid; nothing was sent to MAAS:\n${lines}`);
        }
        this.input = loaded.value;
        const fileActions = this.input.actions as readonly string[];
        if (this.o.action === "list" || (!this.o.action && fileActions.length > 0 && fileActions.every((a) => a === "list"))) return this.list();

        const plan = planFromInput(this.input);
        if (plan.machines.length === 0) throw new UsageError(`${this.o.input}: no machine to work on (machines is empty, or actions is only list)`);
        const all = plan.machines.map((m) => new HostResources(m, this.o.stack, PROJECT_NAME));
        this.hosts = this.selectHosts(all);
        for (const h of this.hosts) this.track.set(h.plan.key, { h, changed: false, failed: false, refused: false, errors: [], targeted: false });

        const action = this.o.action;
        if (action === "set_boot_order") {
            this.info(
                "set_boot_order: MAAS 3.x has no boot-order API (machines network-boot as their BMC/firmware says). " +
                    "What MAAS can set is the boot disk: the machine's boot_disk, applied with its storage layout (configure_storage).",
            );
            const withDisk = this.hosts.filter((h) => h.plan.machine.bootDisk !== undefined && h.planned("storage"));
            if (withDisk.length === 0) {
                this.info("No selected machine names a boot_disk (with storage in the file): nothing to do.");
                return EXIT.ok;
            }
            this.hosts = withDisk;
            for (const k of [...this.track.keys()]) if (!withDisk.some((h) => h.plan.key === k)) this.track.delete(k);
        }
        const part = action ? stagePart(action) : undefined;
        if (part) {
            const missing = this.hosts.filter((h) => !h.planned(part));
            if (missing.length > 0) {
                throw new UsageError(
                    `-a ${action}: ${missing.map((h) => h.plan.hostname).join(", ")} ${missing.length > 1 ? "have" : "has"} no ${part} in ${this.o.input} ` +
                        `(add ${STAGE_ACTION[part]} to actions${part === "storage" || part === "network" ? ` and a ${part} section` : ""}); ` +
                        `-a picks among the resources the file describes, it never adds or removes any`,
                );
            }
        }

        this.handle = await this.openStack();
        try {
            if (action === "release" || action === "delete") return await this.destroy(action);
            return await this.up(part);
        } finally {
            this.cleanupRunConfig();
        }
    }

    private selectHosts(all: HostResources[]): HostResources[] {
        if (!this.o.hosts) return all;
        const picked: HostResources[] = [];
        for (const name of this.o.hosts) {
            const h = all.find((x) => x.plan.hostname === name || x.plan.key === name);
            if (!h) throw new UsageError(`--hosts: no machine "${name}" in ${this.o.input} (machines: ${all.map((x) => x.plan.hostname).join(", ")})`);
            if (!picked.includes(h)) picked.push(h);
        }
        return picked;
    }

    // ------------------------------------------------------------------ list

    private async list(): Promise<number> {
        const creds = maasCredentials(this.input);
        const machines = await withClient(creds, this.o.maxRetries, listMachines);
        if (this.o.json) this.io.stdout.write(JSON.stringify({ machines }, null, 2) + "\n");
        else this.io.stdout.write(machineTable(machines) + "\n");
        return EXIT.ok;
    }

    // ------------------------------------------------------------------ stack plumbing

    private async openStack(): Promise<StackHandle> {
        const home = process.env.MAAS_AUTOMATION_HOME || undefined;
        const stateDir = process.env.MAAS_AUTOMATION_STATE_DIR || (home ? path.join(home, "state") : undefined);
        const homeDir = process.env.MAAS_AUTOMATION_PULUMI_HOME || (home ? path.join(home, "pulumi-home") : undefined);
        const { openMaasStack } = require("../stacks/runner") as typeof import("../stacks/runner");
        const { projectRoot } = require("../stacks/automation") as typeof import("../stacks/automation");
        // The CLI's own working folder (git-ignored): the stack files it writes never touch the
        // repository's; a stack the repository has a settings file for (dev) starts from a copy of it,
        // so plain `pulumi` and the CLI share its config and its secrets salt.
        const workDir = process.env.MAAS_AUTOMATION_WORKDIR || path.join(home ?? path.join(projectRoot, ".maas-automation"), "project");
        copyStackSettings(projectRoot, workDir, this.o.stack);
        const handle = await openMaasStack({
            inputFile: this.inputFile,
            stackName: this.o.stack,
            progress: "json",
            refresh: this.o.refresh,
            workDir,
            ...(stateDir ? { stateDir } : {}),
            ...(homeDir ? { homeDir } : {}),
        });
        if (this.o.maxRetries !== undefined) this.runConfig["maas:maxRetries"] = String(this.o.maxRetries);
        Object.assign(this.runConfig, this.o.config);
        return handle;
    }

    /**
     * Config for this run only (--max-retries, --yes's maas:allowRedeploy, --config): the engine reads a
     * copy of the stack's settings file with these added (its --config-file), so Pulumi.<stack>.yaml is
     * never left changed, even by an interrupted run.
     */
    private readonly runConfig: Record<string, string> = {};
    private runConfigFile: string | undefined;

    private configFileOption(): { configFile?: string } {
        if (Object.keys(this.runConfig).length === 0) return {};
        const ws = this.handle!.stack.workspace as auto.LocalWorkspace;
        const settingsFile = path.join(ws.workDir, `Pulumi.${this.o.stack.split("/").pop()}.yaml`);
        const settings = (fs.existsSync(settingsFile) ? YAML.parse(fs.readFileSync(settingsFile, "utf8")) : null) ?? {};
        settings.config = { ...(settings.config ?? {}), ...this.runConfig };
        this.runConfigFile ??= path.join(fs.mkdtempSync(path.join(os.tmpdir(), "maas-automation-run-")), `Pulumi.${this.o.stack.split("/").pop()}.yaml`);
        fs.writeFileSync(this.runConfigFile, YAML.stringify(settings), { mode: 0o600 });
        return { configFile: this.runConfigFile };
    }

    private cleanupRunConfig(): void {
        if (this.runConfigFile) fs.rmSync(path.dirname(this.runConfigFile), { recursive: true, force: true });
    }

    /** Whether the engine refreshes within each preview/up/destroy (false once a targeted refresh ran). */
    private engineRefreshes = true;

    /**
     * Refresh first. An untargeted run lets the engine refresh within the command; the engine's refresh
     * refuses targets that are not in the state yet, so a targeted run refreshes the targets' existing
     * resources on their own first.
     */
    private async refreshTargets(targets: string[], state: string[], progress?: ProgressView): Promise<void> {
        if (!this.o.refresh || targets.length === 0) return;
        this.engineRefreshes = false;
        const existing = state.filter((u) => targets.some((t) => (t.endsWith("*") ? u.startsWith(t.slice(0, -1)) : u === t)));
        if (existing.length === 0) return;
        await this.handle!.stack.refresh({
            target: existing,
            color: "never",
            ...this.configFileOption(),
            onOutput: (out: string) => {
                progress?.feed(out);
                if (this.o.verbose) this.io.stderr.write(out);
            },
        });
    }

    private runOptions(): StackHandle["runOptions"] {
        return { ...this.handle!.runOptions, refresh: this.o.refresh && this.engineRefreshes };
    }

    private async stateUrns(): Promise<string[]> {
        const state = await this.handle!.stack.exportStack();
        const resources = (state.deployment as { resources?: { urn: string }[] } | undefined)?.resources ?? [];
        return resources.map((r) => r.urn);
    }

    private hostOfUrn(u: string): HostTrack | undefined {
        for (const t of this.track.values()) if (t.h.partOf(u)) return t;
        return undefined;
    }

    private engineCallbacks(progress: ProgressView) {
        return {
            color: "never" as const,
            ...this.configFileOption(),
            onOutput: (s: string) => {
                progress.feed(s);
                if (this.o.verbose) this.io.stderr.write(s);
            },
            onEvent: (e: auto.EngineEvent) => this.onEngineEvent(e),
        };
    }

    /** A preview's steps (resources other than the stack and providers) and what the destructive-change policy refused. */
    private async planSteps(targets: string[], targetDependents: boolean, destroy: boolean): Promise<{ steps: Step[]; refusals: string[]; error?: string }> {
        const stack = this.handle!.stack;
        const steps: Step[] = [];
        const refusals: string[] = [];
        const opts = {
            ...this.runOptions(),
            ...(targets.length ? { target: targets, targetDependents } : {}),
            color: "never" as const,
            ...this.configFileOption(),
            onEvent: (e: auto.EngineEvent) => {
                const m = e.resourcePreEvent?.metadata;
                if (m && !m.urn.includes("::pulumi:pulumi:Stack::") && !m.urn.includes("::pulumi:providers:")) steps.push({ op: m.op, urn: m.urn });
                const d = e.diagnosticEvent;
                const text = d ? d.message.replace(/\x1b\[[0-9;]*m/g, "").trim() : "";
                if (d?.severity === "warning") this.warn(text.replace(/^warning:\s*/, ""));
                if (d?.severity === "error" && text.includes(REFUSAL_MARK)) refusals.push(policyReason(text));
            },
            onOutput: (s: string) => {
                if (this.o.verbose) this.io.stderr.write(s);
            },
        };
        try {
            if (destroy) await stack.destroy({ ...opts, previewOnly: true });
            else await stack.preview(opts);
            return { steps, refusals };
        } catch (e) {
            return { steps, refusals: [...new Set(refusals)], error: tail((e as Error).message) };
        }
    }

    private onEngineEvent(e: auto.EngineEvent): void {
        const now = Date.now();
        if (e.resourcePreEvent) {
            const m = e.resourcePreEvent.metadata;
            if (m.type === "pulumi:pulumi:Stack") return;
            const t = this.hostOfUrn(m.urn);
            if (t && m.op !== "same" && m.op !== "read" && m.op !== "refresh") {
                t.changed = true;
                t.start ??= now;
            }
        } else if (e.resOutputsEvent) {
            const t = this.hostOfUrn(e.resOutputsEvent.metadata.urn);
            if (t && t.start !== undefined) t.end = now;
        } else if (e.resOpFailedEvent) {
            const t = this.hostOfUrn(e.resOpFailedEvent.metadata.urn);
            if (t) {
                t.failed = true;
                t.start ??= now;
                t.end = now;
            }
        } else if (e.diagnosticEvent) {
            const d = e.diagnosticEvent;
            const msg = d.message.replace(/\x1b\[[0-9;]*m/g, "").trim();
            if (d.severity === "error") {
                const t = d.urn ? this.hostOfUrn(d.urn) : undefined;
                if (t) {
                    t.failed = true;
                    t.refused ||= msg.includes(REFUSAL_MARK);
                    t.errors.push(msg);
                } else if (msg && !/^update failed$/i.test(msg)) this.generalErrors.push(msg);
            } else if (d.severity === "warning" && msg && !this.o.verbose) {
                this.warn(msg.replace(/^warning:\s*/, ""));
            }
        } else if (e.summaryEvent) {
            this.changes = { ...(e.summaryEvent.resourceChanges as Record<string, number>) };
        }
    }

    private readonly generalErrors: string[] = [];

    // ------------------------------------------------------------------ confirmation

    private async confirm(reasons: string[]): Promise<boolean> {
        if (this.o.yes) return true;
        if (!this.io.stdin.isTTY) {
            throw new Refused(`refused: this run is destructive and needs --yes when stdin is not a terminal:\n${reasons.map((r) => `  - ${r}`).join("\n")}`);
        }
        this.io.stderr.write(`This run is destructive:\n${reasons.map((r) => `  - ${r}`).join("\n")}\n`);
        const rl = readline.createInterface({ input: this.io.stdin, output: this.io.stderr });
        const answer = await new Promise<string>((resolve) => rl.question("Continue? [y/N] ", resolve));
        rl.close();
        if (!/^y(es)?$/i.test(answer.trim())) throw new Refused("aborted: nothing was changed");
        return true;
    }

    // ------------------------------------------------------------------ up

    private async up(part: Part | undefined): Promise<number> {
        const stack = this.handle!.stack;
        const state = await this.stateUrns();
        let targets: string[] = [];
        let targetDependents = false;
        const all = this.o.hosts === undefined;

        if (part) {
            for (const t of this.track.values()) {
                const missing = prerequisites(t.h, part).filter((p) => t.h.inState(p, state).length === 0);
                if (missing.length > 0) {
                    t.blocked = `${missing.join(" and ")} not created yet: run -a ${STAGE_ACTION[missing[0]!]} (or no -a) first`;
                    continue;
                }
                t.targeted = true;
                targets.push(...t.h.targets(part, state));
            }
        } else if (!all) {
            targetDependents = true;
            for (const t of this.track.values()) {
                t.targeted = true;
                for (const p of ["machine", "storage", "network", "deployment"] as Part[]) if (t.h.planned(p) || t.h.inState(p, state).length > 0) targets.push(...t.h.targets(p, state));
            }
        } else {
            for (const t of this.track.values()) t.targeted = true;
        }
        targets = [...new Set(targets)];
        this.targets = targets;
        const targeted = [...this.track.values()].filter((t) => t.targeted);
        if (targeted.length === 0) return this.finish(false);
        await this.refreshTargets(targets, state);

        // -a commission on a machine MAAS already commissioned: a fresh per-run token re-commissions it.
        let recommission: { t: HostTrack; status: string }[] = [];
        const reasons: string[] = [];
        if (this.o.action === "commission") {
            const existing = targeted.filter((t) => t.h.inState("machine", state).length > 0);
            if (existing.length > 0) {
                const statuses = await this.maasStatuses(existing.map((t) => t.h.plan.hostname));
                recommission = existing.map((t) => ({ t, status: statuses.get(t.h.plan.hostname) ?? "unknown" })).filter((x) => x.status !== "unknown" && x.status !== "New");
                // The destructive-change policy: only a machine that holds a deployment loses something.
                for (const r of recommission.filter((x) => HOLDING_STATES.includes(x.status))) {
                    reasons.push(`re-commission ${r.t.h.plan.hostname} (${r.status}): its deployment is released first (disk erase), then MAAS resets its storage and network`);
                }
            }
        }

        const tokenConfig: Record<string, string> = {};
        if (recommission.length > 0) {
            // One token per re-commissioned host: the other machines keep theirs.
            const token = `cli-${new Date().toISOString().replace(/[-:.]/g, "").slice(0, 15)}-${randomBytes(3).toString("hex")}`;
            for (const r of recommission) tokenConfig[`maas:commissionToken-${r.t.h.plan.key}`] = token;
        }

        // The token reaches the engine for this run only; the machine's state keeps it afterwards.
        Object.assign(this.runConfig, tokenConfig);
        if (this.o.preview) return this.preview(targets, targetDependents);

        if (!this.o.yes && reasons.length === 0) {
            // Look before leaping: what the destructive-change policy refuses needs a confirmation.
            const plan = await this.planSteps(targets, targetDependents, false);
            if (plan.error && plan.refusals.length === 0) throw new Error(`preview failed:\n${plan.error}`);
            reasons.push(...plan.refusals);
        }
        if (reasons.length > 0) await this.confirm(reasons);
        if (reasons.length > 0 || this.o.yes) this.runConfig["maas:allowRedeploy"] = "true";

        const progress = new ProgressView(this.out, !!this.out.isTTY);
        try {
            // A deployed machine must be released before MAAS commissions it again.
            const toRelease = recommission.flatMap((r) => (["Ready", "Failed commissioning", "Failed testing", "Broken"].includes(r.status) ? [] : r.t.h.inState("deployment", state)));
            if (toRelease.length > 0) {
                this.info(`Releasing ${toRelease.length} deployment(s) before re-commissioning; the next run without -a deploys again.`);
                try {
                    await stack.destroy({ ...this.runOptions(), continueOnError: this.o.continueOnError, target: toRelease, ...this.engineCallbacks(progress) });
                } catch {
                    // per-machine failures are in the events
                }
                // Machines whose release failed are not re-commissioned.
                targets = targets.filter((u) => !this.hostOfUrn(u)?.failed);
            }
            if (targets.length > 0 || all) {
                try {
                    await stack.up({
                        ...this.runOptions(),
                        continueOnError: this.o.continueOnError,
                        ...(targets.length ? { target: targets, targetDependents } : {}),
                        ...this.engineCallbacks(progress),
                    });
                } catch (e) {
                    if (![...this.track.values()].some((t) => t.failed) && this.generalErrors.length === 0) this.generalErrors.push(tail((e as Error).message));
                }
            }
        } finally {
            progress.stop();
        }
        if (part === "machine" && this.o.action === "commission" && recommission.length > 0)
            this.warn("commissioning reset the storage and network of the re-commissioned machines: run without -a to re-apply them and deploy");
        return this.finish(true, progress);
    }

    private async preview(targets: string[], targetDependents: boolean, destroy = false): Promise<number> {
        const { steps, error: failed } = await this.planSteps(targets, targetDependents, destroy);
        const counts: Record<string, number> = {};
        for (const s of steps) counts[s.op] = (counts[s.op] ?? 0) + 1;
        if (this.o.json) {
            this.io.stdout.write(JSON.stringify({ stack: this.o.stack, action: this.o.action ?? null, preview: true, targets, changes: counts, steps, warnings: this.warnings, error: failed ?? null }, null, 2) + "\n");
        } else {
            this.io.stdout.write(`Plan for stack ${this.o.stack}${this.o.action ? ` (-a ${this.o.action})` : ""}${targets.length ? `, ${targets.length} target(s)` : ""}:\n`);
            for (const s of steps) this.io.stdout.write(`  ${s.op.padEnd(10)} ${describe(s.urn)}\n`);
            const summary = Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(", ");
            this.io.stdout.write(`${summary || "no resources"}. Preview only: nothing was changed.\n`);
        }
        if (failed) {
            this.io.stderr.write(`maas-automation: preview failed:\n${failed}\n`);
            return EXIT.failed;
        }
        return EXIT.ok;
    }

    // ------------------------------------------------------------------ release / delete

    private async destroy(action: "release" | "delete"): Promise<number> {
        const state = await this.stateUrns();
        const parts: Part[] = action === "release" ? ["deployment"] : DELETE_PARTS;
        const targets: string[] = [];
        for (const t of this.track.values()) {
            const urns = parts.flatMap((p) => t.h.inState(p, state));
            if (urns.length === 0) continue;
            t.targeted = true;
            targets.push(...urns);
        }
        this.targets = targets;
        await this.refreshTargets(targets, state);
        if (targets.length === 0) {
            this.info(`-a ${action}: nothing of ${[...this.track.values()].map((t) => t.h.plan.hostname).join(", ")} is in stack ${this.o.stack}: nothing to ${action}.`);
            return this.finish(false);
        }
        if (this.o.preview) return this.preview(targets, action === "delete", true);
        const hostnames = [...this.track.values()].filter((t) => t.targeted).map((t) => t.h.plan.hostname);
        await this.confirm([
            action === "release"
                ? `release ${hostnames.join(", ")} (MAAS release${this.anyErase() ? " with disk erase" : ""})`
                : `delete ${hostnames.join(", ")}: release, and remove from MAAS what the stack enlisted (adopted machines are only forgotten)`,
        ]);
        const still = [...this.track.values()].filter((t) => t.targeted && (action === "delete" || t.h.planned("deployment"))).map((t) => t.h.plan.hostname);
        if (still.length > 0)
            this.warn(
                action === "release"
                    ? `${this.o.input} still asks for a deployment of ${still.join(", ")} (deploy is in actions): the next run without -a (or pulumi up) deploys ${still.length > 1 ? "them" : "it"} again; remove deploy from actions to keep ${still.length > 1 ? "them" : "it"} released`
                    : `${this.o.input} still lists ${still.join(", ")}: the next run without -a (or pulumi up) brings ${still.length > 1 ? "them" : "it"} back; remove ${still.length > 1 ? "them" : "it"} from the file to keep ${still.length > 1 ? "them" : "it"} deleted`,
            );
        const progress = new ProgressView(this.out, !!this.out.isTTY);
        try {
            await this.handle!.stack.destroy({
                ...this.runOptions(),
                continueOnError: this.o.continueOnError,
                target: targets,
                targetDependents: action === "delete",
                ...this.engineCallbacks(progress),
            });
        } catch (e) {
            if (![...this.track.values()].some((t) => t.failed) && this.generalErrors.length === 0) this.generalErrors.push(tail((e as Error).message));
        } finally {
            progress.stop();
        }
        return this.finish(true, progress, action === "release" ? "released" : "deleted");
    }

    private anyErase(): boolean {
        return [...this.track.values()].some((t) => t.h.plan.deployment?.release.erase !== false);
    }

    // ------------------------------------------------------------------ summary

    private async maasStatuses(hostnames: string[]): Promise<Map<string, string>> {
        const map = new Map<string, string>();
        try {
            await withClient(maasCredentials(this.input), 2, async (c) => {
                for (const m of await c.listMachines({ hostname: hostnames })) map.set(m.hostname, m.status_name);
            });
        } catch (e) {
            // Without MAAS's word no machine is reported at its target; say why.
            this.warn(`could not read the machines' status from MAAS: ${e instanceof Error ? e.message : String(e)}`);
        }
        return map;
    }

    /** The status MAAS should report for the host after this run, when the run waits for one. */
    private targetStatus(t: HostTrack): string | undefined {
        const action = this.o.action;
        const commissioned = t.h.plan.machine.commissioning.wait ? "Ready" : undefined;
        if (action === "delete") return undefined;
        if (action === "release") return "Ready";
        if (action && stagePart(action) !== "deployment") return commissioned;
        if (t.h.planned("deployment")) return t.h.plan.deployment!.wait ? "Deployed" : undefined;
        return commissioned;
    }

    private async finish(ran: boolean, progress?: ProgressView, success: Outcome = "ok"): Promise<number> {
        const statuses = await this.maasStatuses([...this.track.values()].map((t) => t.h.plan.hostname));
        const total = (Date.now() - this.started) / 1000;
        const machines: MachineResult[] = [...this.track.values()].map((t) => {
            const p = progress?.latest.get(t.h.plan.hostname);
            let outcome: Outcome;
            if (t.blocked) outcome = "blocked";
            else if (t.failed) outcome = "failed";
            else if (!t.targeted) outcome = "unchanged";
            else if (!ran) outcome = "unchanged";
            else if (this.generalErrors.length > 0 && !t.changed) outcome = "not run";
            else outcome = t.changed ? success : "unchanged";
            if (t.refused) outcome = "refused";
            const status = statuses.get(t.h.plan.hostname) ?? null;
            const target = this.targetStatus(t);
            let error = t.blocked ?? (t.errors.length ? t.errors.map(cleanError).join("; ") : undefined);
            if (t.refused) error = `${error ?? "refused"} (run again with --yes to allow it)`;
            // MAAS has the last word: a machine it reports elsewhere has not reached its target.
            if (["ok", "unchanged", "released"].includes(outcome) && target !== undefined && status !== target) {
                outcome = "not at target";
                error = `MAAS reports ${status ?? "no such machine"}, the target is ${target}`;
            }
            return {
                hostname: t.h.plan.hostname,
                key: t.h.plan.key,
                outcome,
                durationS: t.start !== undefined ? ((t.end ?? Date.now()) - t.start) / 1000 : 0,
                status: status ?? (success === "deleted" && outcome === "deleted" ? "(deleted)" : null),
                message: p?.message ?? "",
                ...(error ? { error } : {}),
            };
        });
        const bad = machines.some((m) => ["failed", "blocked", "not run", "refused", "not at target"].includes(m.outcome)) || this.generalErrors.length > 0;
        const exitCode = bad ? EXIT.failed : EXIT.ok;
        const summary: RunSummary = {
            stack: this.o.stack,
            action: this.o.action ?? null,
            preview: false,
            exitCode,
            durationS: Math.round(total * 10) / 10,
            targets: this.targets,
            changes: this.changes,
            machines,
            warnings: this.warnings,
        };
        if (this.o.json) this.io.stdout.write(JSON.stringify({ ...summary, errors: this.generalErrors }, null, 2) + "\n");
        else {
            for (const e of this.generalErrors) this.io.stderr.write(`error: ${e}\n`);
            this.io.stdout.write("\n" + summaryTable(summary) + "\n");
            const counts = Object.entries(this.changes).map(([k, v]) => `${v} ${k}`).join(", ");
            this.io.stdout.write(`${exitCode === 0 ? "Every machine reached its target" : "Some machines did not reach their target"} (${summary.durationS}s${counts ? `; ${counts}` : ""}).\n`);
        }
        return exitCode;
    }
}

interface Step {
    op: string;
    urn: string;
}

/** Pulumi.<stack>.yaml of the project, when it has one, into the CLI's working folder. */
function copyStackSettings(projectDir: string, workDir: string, stack: string): void {
    const file = `Pulumi.${stack.split("/").pop()}.yaml`;
    if (!fs.existsSync(path.join(projectDir, file))) return;
    fs.mkdirSync(workDir, { recursive: true });
    fs.copyFileSync(path.join(projectDir, file), path.join(workDir, file));
}

/** "Machine node01" from a URN. */
function describe(u: string): string {
    const { type, name } = parseUrn(u);
    return `${type.split(":").pop()} ${name}`;
}

/** The policy's words for one refusal, without the engine's prefix. */
function policyReason(diagnostic: string): string {
    const text = diagnostic.replace(/^error:\s*/i, "");
    const at = text.indexOf("has a problem: ");
    return (at >= 0 ? text.slice(at + "has a problem: ".length) : text).split(`; ${REFUSAL_MARK}`)[0]!;
}

function cleanError(s: string): string {
    return oneLine(s.replace(/^error:\s*/i, "").replace(/^Exception:\s*/i, ""), 300);
}

function tail(s: string, lines = 15): string {
    return s.split("\n").filter((l) => l.trim()).slice(-lines).join("\n");
}

