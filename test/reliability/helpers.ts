// Shared by the reliability tests and tools/crash-matrix.ts: fleet input files, the invariants every
// recovery must restore (no duplicate, no stranger, no phantom, no disk erased unasked), and the
// detached `up` / `destroy` runner the crash tests kill.
import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { E2E, FAST_CONFIG, Stack } from "../e2e/harness";
import type { InventoryServer, SimStats } from "../helpers/simulator";
import type { RunnerJob } from "./runner";

export const MACHINE_TYPE = "pulumi-nodejs:dynamic/maas:Machine";
export const DEPLOYMENT_TYPE = "pulumi-nodejs:dynamic/maas:Deployment";

export interface FleetOptions {
    deploy?: boolean;
    storage?: boolean;
    deployTimeoutS?: number;
    bmcPassword?: string;
    userData?: string;
}

/** An input file enlisting, commissioning (and by default deploying) the given servers. */
export function fleetInput(servers: InventoryServer[], o: FleetOptions = {}): Record<string, unknown> {
    const actions = ["create_machine", "set_power", "commission"];
    if (o.storage) actions.push("configure_storage");
    if (o.deploy !== false) actions.push("deploy");
    return {
        actions,
        ...(o.storage ? { storage: { device: "sda", params: { root_size_g: 50, home_size_g: 0, var_size_g: 10, var_log_size_g: 5, tmp_size_g: 5 } } } : {}),
        machines: servers.map((s) => ({
            hostname: s.hostname,
            pxe_mac: s.macs[0],
            power_type: "ipmi",
            power_parameters: { power_address: s.bmcAddress, power_user: "root", power_pass: o.bmcPassword ?? "bmc-pass" },
            distro_series: "jammy",
            ...(o.deployTimeoutS ? { deploy_timeout: o.deployTimeoutS } : {}),
            ...(o.userData ? { user_data: o.userData } : {}),
        })),
    };
}

/** The servers of the simulator's generated inventory (`machines: N`), node-0001 first. */
export async function servers(e2e: E2E, n?: number): Promise<InventoryServer[]> {
    const inv = await e2e.sim.inventory();
    const list = inv.servers.filter((s) => /^node-\d+$/.test(s.hostname)).sort((a, b) => a.hostname.localeCompare(b.hostname));
    return n === undefined ? list : list.slice(0, n);
}

export interface MaasMachineView {
    system_id: string;
    hostname: string;
    status_name: string;
    description: string;
    interface_set: { mac_address: string | null }[];
}

export async function maasMachines(e2e: E2E): Promise<MaasMachineView[]> {
    const res = await e2e.sim.api("GET", "machines/");
    assert.equal(res.status, 200, res.body);
    return res.json() as MaasMachineView[];
}

export async function totalRequests(e2e: E2E): Promise<number> {
    const s = await e2e.sim.stats();
    return s.requests.reduce((n, r) => n + r.count, 0);
}

/** API requests (not admin ones) keep coming from somebody: sample the count over `ms`. */
export async function requestsDuring(e2e: E2E, ms: number): Promise<number> {
    const before = await totalRequests(e2e);
    await new Promise((r) => setTimeout(r, ms));
    return (await totalRequests(e2e)) - before;
}

interface StateResource {
    urn: string;
    type: string;
    id?: string;
    outputs?: Record<string, unknown>;
}

export async function stateOf(s: Stack): Promise<{ resources: StateResource[]; pending: unknown[] }> {
    const exported = await s.stack.exportStack();
    const d = exported.deployment as { resources?: StateResource[]; pending_operations?: unknown[] };
    return { resources: d.resources ?? [], pending: d.pending_operations ?? [] };
}

export interface InvariantOptions {
    /** Hostnames that must be in MAAS, each exactly once (all of the file's machines after an `up`). */
    hosts: string[];
    /** Statuses the machines must have (default Deployed). */
    status?: string;
    /** Whether a Disk erasing transition is allowed (only when a release was asked for). */
    erasingAllowed?: boolean;
    /**
     * Machines whose deployment failed: the next run gives them back with the file's release options
     * (erase by default) before deploying again, so erasing them was asked for.
     */
    erasingAllowedFor?: string[];
    stackName: string;
}

/**
 * What every recovery must restore:
 * - no duplicate machine in MAAS (per hostname and per PXE MAC),
 * - no machine in MAAS that the stack neither owns (marker) nor reports (state),
 * - no resource the stack believes in that MAAS does not have,
 * - no pending operation left in the state,
 * - no disk erased unasked.
 */
export async function assertInvariants(e2e: E2E, s: Stack, o: InvariantOptions): Promise<void> {
    const machines = await maasMachines(e2e);
    const state = await stateOf(s);
    const ids = new Set(machines.map((m) => m.system_id));
    for (const h of o.hosts) {
        const same = machines.filter((m) => m.hostname === h);
        assert.equal(same.length, 1, `exactly one machine ${h} in MAAS, found ${same.length}`);
        if (o.status) assert.equal(same[0].status_name, o.status, `${h} is ${o.status}`);
    }
    const macs = machines.flatMap((m) => m.interface_set.map((i) => i.mac_address).filter((x): x is string => !!x));
    assert.equal(new Set(macs).size, macs.length, "no MAC address is enlisted twice");
    const stateIds = new Set(state.resources.filter((r) => r.type === MACHINE_TYPE).map((r) => r.id));
    for (const m of machines) {
        const ours = (m.description ?? "").includes(`enlisted-by: maas-automation/${o.stackName}/`);
        assert.ok(ours || stateIds.has(m.system_id), `machine ${m.hostname} (${m.system_id}) in MAAS is neither owned nor reported by the stack`);
        assert.ok(stateIds.has(m.system_id) || o.hosts.length === 0, `machine ${m.hostname} (${m.system_id}) is ours but missing from the state`);
    }
    for (const r of state.resources) {
        if (r.type !== MACHINE_TYPE && r.type !== DEPLOYMENT_TYPE) continue;
        assert.ok(r.id && ids.has(r.id), `the stack believes in ${r.urn} (${r.id}) but MAAS does not have it`);
        if (r.type === DEPLOYMENT_TYPE && r.outputs?.deployed === true) {
            const m = machines.find((x) => x.system_id === r.id)!;
            assert.equal(m.status_name, "Deployed", `${r.urn}: the state says deployed, MAAS says ${m.status_name}`);
        }
    }
    assert.deepEqual(state.pending, [], "no pending operation is left in the state");
    if (!o.erasingAllowed) {
        const unasked = erasedMachines(await e2e.sim.stats()).filter((h) => !(o.erasingAllowedFor ?? []).includes(h));
        assert.deepEqual(unasked, [], "no disk was erased unasked");
    }
}

/** Hostnames of machines that went through Disk erasing. */
export function erasedMachines(stats: SimStats): string[] {
    return Object.values(stats.machines).filter((m) => m.transitions.some((t) => t.to === "Disk erasing")).map((m) => m.hostname);
}

/** How many times MAAS accepted a deploy for each hostname (events deploy-accepted). */
export async function deploysAccepted(e2e: E2E): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const ev of await e2e.sim.events(0, 0)) if (ev.event === "deploy-accepted") out[ev.hostname ?? "?"] = (out[ev.hostname ?? "?"] ?? 0) + 1;
    return out;
}

export interface Detached {
    child: ChildProcess;
    output(): string;
    exited: Promise<number | null>;
    /** SIGKILL the runner's process group (runner, pulumi CLI, language host). */
    killGroup(): void;
    /**
     * SIGKILL the runner's process group and every process group of its descendants: the pulumi CLI
     * starts each plugin (the dynamic-provider process too) in a process group of its own, so the
     * group kill alone leaves the provider running. Returns the extra groups killed.
     */
    killTree(): number[];
    /** Process groups of descendants outside the runner's group that still have a live process. */
    liveForeignGroups(): number[];
}

/** Processes of process group `pgid` that are not zombies (Linux /proc). */
function livingMembers(pgid: number): number {
    let n = 0;
    for (const name of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(name)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            if (Number(fields[2]) === pgid && fields[0] !== "Z") n++;
        } catch {
            /* gone */
        }
    }
    return n;
}

/** Process ids below `root` (Linux /proc), with their process groups. */
export function descendants(root: number): { pid: number; pgid: number }[] {
    const parent = new Map<number, number>();
    const group = new Map<number, number>();
    for (const name of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(name)) continue;
        try {
            const stat = fs.readFileSync(`/proc/${name}/stat`, "utf8");
            const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
            parent.set(Number(name), Number(fields[1]));
            group.set(Number(name), Number(fields[2]));
        } catch {
            /* gone */
        }
    }
    const out: { pid: number; pgid: number }[] = [];
    const queue = [root];
    while (queue.length) {
        const p = queue.shift()!;
        for (const [pid, ppid] of parent) {
            if (ppid === p) {
                out.push({ pid, pgid: group.get(pid)! });
                queue.push(pid);
            }
        }
    }
    return out;
}

export function runDetached(e2e: E2E, job: Omit<RunnerJob, "workDir" | "stateDir" | "homeDir" | "apiUrl" | "apiKey" | "config"> & { config?: Record<string, string> }): Detached {
    const full: RunnerJob = {
        ...job,
        workDir: path.join(e2e.dir, "project"),
        stateDir: path.join(e2e.dir, "state"),
        homeDir: path.join(e2e.dir, "home"),
        apiUrl: e2e.sim.url,
        apiKey: e2e.sim.apiKey,
        config: { ...FAST_CONFIG, ...(job.config ?? {}) },
    };
    const child = spawn(process.execPath, [path.join(__dirname, "runner.js"), JSON.stringify(full)], {
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, MAAS_API_URL: "", MAAS_API_KEY: "" },
    });
    let out = "";
    child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    /** Process groups of descendants outside the runner's group, seen at the last kill. */
    const foreign = new Set<number>();
    return {
        child,
        output: () => out,
        exited,
        killGroup() {
            for (const d of descendants(child.pid!)) if (d.pgid !== child.pid) foreign.add(d.pgid);
            try {
                process.kill(-child.pid!, "SIGKILL");
            } catch {
                /* already gone */
            }
        },
        killTree() {
            const groups = new Set([...foreign, ...descendants(child.pid!).map((d) => d.pgid)]);
            groups.delete(child.pid!);
            try {
                process.kill(-child.pid!, "SIGKILL");
            } catch {
                /* already gone */
            }
            for (const g of groups) {
                try {
                    process.kill(-g, "SIGKILL");
                } catch {
                    /* already gone */
                }
            }
            return [...groups];
        },
        liveForeignGroups() {
            // A group counts while a member is alive; exited members not yet reaped (zombies, state Z:
            // their parent, the engine, is dead) cannot call anything.
            return [...foreign].filter((g) => livingMembers(g) > 0);
        },
    };
}

/** Waits for the n-th occurrence of an event after `after`; fails early if the runner exits first. */
export async function waitForNth(e2e: E2E, event: string, n: number, after: number, runner: Detached, timeoutMs = 180_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    let seen = 0;
    let cursor = after;
    let exited = false;
    void runner.exited.then(() => (exited = true));
    while (Date.now() < deadline) {
        const evs = await e2e.sim.events(cursor, 500);
        for (const ev of evs) {
            cursor = Math.max(cursor, ev.seq);
            if (ev.event === event && ++seen === n) return ev.seq;
        }
        if (exited && evs.length === 0) throw new Error(`the run ended before ${event} #${n} (saw ${seen}):\n${runner.output().slice(-3000)}`);
    }
    throw new Error(`timed out waiting for ${event} #${n} (saw ${seen})`);
}

export async function lastEventSeq(e2e: E2E): Promise<number> {
    const evs = await e2e.sim.events(0, 0);
    return evs.length ? evs[evs.length - 1].seq : 0;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
