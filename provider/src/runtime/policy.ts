// The destructive-change policy, in one place for every path (plain `pulumi`, the CLI, the seed
// actions): a change that would release with disk erase, redeploy, re-commission or delete a machine
// that MAAS says is deployed (Allocated, Deploying, Deployed) is refused unless this run allows it
// (`maas:allowRedeploy`, which the CLI's --yes or a confirmation sets for one run). The refusal is
// a check failure, so it shows in preview, names the machine and the reason, and nothing reaches
// MAAS. What is judged is what MAAS says the machine is now: re-applying a layout or network on a
// Ready machine, or retrying a failed deployment, loses nothing and needs no permission.
import { providerConfig } from "./config";

export type DestructiveChange = "redeploy" | "release" | "recommission" | "delete";

/** Machine states in which the machine holds a deployment that a change would erase. */
export const HOLDING_STATES: readonly string[] = ["Allocated", "Deploying", "Deployed"];

/** Words every refusal carries, so tools (the CLI's confirmation, the reviewer summary) can find them. */
export const REFUSAL_MARK = "refused by the destructive-change policy";

export const ALLOW_HINT = "set maas:allowRedeploy=true for this run (the CLI's --yes, or answer y at its prompt)";

const WHAT: Record<DestructiveChange, string> = {
    redeploy: "release with disk erase and deploy again",
    release: "release with disk erase",
    recommission: "release with disk erase and commission again (MAAS resets its storage and network)",
    delete: "release with disk erase and delete it from MAAS",
};

export interface MachineNow {
    hostname: string;
    systemId: string;
    /** status_name MAAS reports now. */
    status: string;
}

/** Whether the change loses what the machine holds now. */
export function isDestructive(machine: MachineNow): boolean {
    return HOLDING_STATES.includes(machine.status);
}

/**
 * The refusal for a change to a machine, or undefined when the change may go ahead (not destructive,
 * or allowed; an allowed destructive change is announced, so the preview says what will be erased).
 */
export function judge(change: DestructiveChange, machine: MachineNow, because: string): string | undefined {
    if (!isDestructive(machine)) return undefined;
    const what = `${machine.hostname} (${machine.systemId}) is ${machine.status}: ${because} means ${WHAT[change]}`;
    if (providerConfig().allowRedeploy) {
        console.log(`warning: ${what} (allowed by maas:allowRedeploy)`);
        return undefined;
    }
    return `${what}; ${REFUSAL_MARK}: ${ALLOW_HINT}`;
}
