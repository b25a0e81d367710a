// Which of the stack program's resources a run touches. `--hosts` and `-a` never change the program
// (a smaller program would destroy the machines left out); they become the engine's `target` list.
// URNs are built from the stack name, the project name and the resource names planFromInput gives
// (`MachinePlan.names`); the network resources are matched by prefix (one per bond / interface).
import type { MachinePlan } from "../stacks/plan";
import type { CliAction } from "./args";

export const TYPES = {
    machine: "pulumi-nodejs:dynamic/maas:Machine",
    storage: "pulumi-nodejs:dynamic/maas:StorageLayout",
    bond: "pulumi-nodejs:dynamic/maas:Bond",
    interface: "pulumi-nodejs:dynamic/maas:Interface",
    deployment: "pulumi-nodejs:dynamic/maas:Deployment",
} as const;

export type Part = "machine" | "storage" | "network" | "deployment";

export function urn(stack: string, project: string, type: string, name: string): string {
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/** Splits a URN into its (last) type and its name. */
export function parseUrn(u: string): { type: string; name: string } {
    const parts = u.split("::");
    const typePath = parts[2] ?? "";
    return { type: typePath.split("$").pop() ?? typePath, name: parts.slice(3).join("::") };
}

export class HostResources {
    constructor(
        readonly plan: MachinePlan,
        private readonly stack: string,
        private readonly project: string,
    ) {}

    get machineUrn(): string {
        return urn(this.stack, this.project, TYPES.machine, this.plan.names.machine);
    }
    get storageUrn(): string {
        return urn(this.stack, this.project, TYPES.storage, this.plan.names.storage);
    }
    get deploymentUrn(): string {
        return urn(this.stack, this.project, TYPES.deployment, this.plan.names.deployment);
    }
    /** Patterns (engine wildcards) of this host's bonds and interface links. */
    get networkPatterns(): string[] {
        return [TYPES.bond, TYPES.interface].map((t) => urn(this.stack, this.project, t, `${this.plan.names.network}*`));
    }

    /** Which part of this host a URN is, if any. */
    partOf(u: string): Part | undefined {
        const { type, name } = parseUrn(u);
        const n = this.plan.names;
        if (type === TYPES.machine && name === n.machine) return "machine";
        if (type === TYPES.storage && name === n.storage) return "storage";
        if (type === TYPES.deployment && name === n.deployment) return "deployment";
        if ((type === TYPES.bond || type === TYPES.interface) && name.startsWith(n.network)) return "network";
        return undefined;
    }

    /** The part's URNs present in the stack's state. */
    inState(part: Part, state: readonly string[]): string[] {
        return state.filter((u) => this.partOf(u) === part);
    }

    /** Targets for `part`: exact URNs, or for the network the state's URNs plus prefix patterns. */
    targets(part: Part, state: readonly string[]): string[] {
        switch (part) {
            case "machine":
                return [this.machineUrn];
            case "storage":
                return [this.storageUrn];
            case "deployment":
                return [this.deploymentUrn];
            case "network":
                return [...new Set([...this.inState("network", state), ...this.networkPatterns])];
        }
    }

    /** Whether the file describes this part for the host (the program registers it). */
    planned(part: Part): boolean {
        if (part === "machine") return true;
        return this.plan[part] !== undefined;
    }
}

/** The stage of a single `-a` action: which part of each host it runs. */
export function stagePart(action: CliAction): Part | undefined {
    switch (action) {
        case "create_machine":
        case "find_machine":
        case "set_power":
        case "set_bios":
        case "commission":
            return "machine";
        case "configure_storage":
        case "set_boot_order":
            return "storage";
        case "configure_network":
            return "network";
        case "deploy":
            return "deployment";
        default:
            return undefined;
    }
}

/** Parts that must already exist before `part` runs alone (no targetDependents). */
export function prerequisites(h: HostResources, part: Part): Part[] {
    switch (part) {
        case "machine":
            return [];
        case "storage":
        case "network":
            return ["machine"];
        case "deployment":
            return (["machine", "storage", "network"] as Part[]).filter((p) => h.planned(p));
    }
}

/** The `-a` action that creates a part, for "run this first" messages. */
export const STAGE_ACTION: Record<Part, string> = {
    machine: "create_machine",
    storage: "configure_storage",
    network: "configure_network",
    deployment: "deploy",
};

/** Destroy order matters not (the engine orders it); what `delete` removes. */
export const DELETE_PARTS: Part[] = ["deployment", "network", "storage", "machine"];
