// The redeploy gate for configuration resources (storage layout, bond, interface). MAAS edits them
// only on a Ready machine, so on a deployed machine a change is a delete-first replacement that makes
// the engine release (erase) and redeploy the machine. The engine releases dependents before it asks
// the deployment anything, so the gate sits in the configuration resource's own `check`: `up` refuses
// unless maas:allowRedeploy is true, preview names what would happen.
import { hasMaas, recentMachine } from "./config";
import { CheckFailure, UNKNOWN, containsUnknown, errorMessage } from "./common";
import type { RedeployPolicy } from "./deployment";

interface GatedModule<I> {
    check(olds: Partial<I>, news: Record<string, unknown>): Promise<{ inputs: I; failures: CheckFailure[] }>;
    diff(id: string, olds: never, news: I): Promise<{ replaces: string[] }>;
}

const HOLDING_STATES = ["Allocated", "Deploying", "Deployed", "Failed deployment"];
/** Fields whose change is not the operator's configuration change. */
const NOT_CONFIGURATION = new Set(["revision", "systemId", "commissionRevision", "parentRevision", "redeployPolicy"]);

export function withRedeployGate<I extends { systemId: string; hostname: string }>(kind: string, mod: GatedModule<I>) {
    return async (olds: Partial<I> & { redeployPolicy?: RedeployPolicy }, news: Record<string, unknown>) => {
        const result = await mod.check(olds, news);
        const policy = (news.redeployPolicy as RedeployPolicy | undefined) ?? "refuse";
        const inputs = { ...result.inputs, redeployPolicy: policy };
        if (result.failures.length > 0 || !olds || !olds.systemId || policy === "allow") return { inputs, failures: result.failures };
        const { replaces } = await mod.diff("", olds as never, result.inputs);
        const changed = replaces.filter((f) => !NOT_CONFIGURATION.has(f) && !containsUnknown((result.inputs as Record<string, unknown>)[f]));
        if (changed.length === 0 || result.inputs.systemId === UNKNOWN || !hasMaas()) return { inputs, failures: result.failures };
        let status: string;
        try {
            status = (await recentMachine(result.inputs.systemId, `read machine before changing its ${kind}`)).status_name;
        } catch (e) {
            return { inputs, failures: [{ property: changed[0], reason: errorMessage(e) }] };
        }
        if (!HOLDING_STATES.includes(status)) return { inputs, failures: result.failures };
        const what = `${result.inputs.hostname} (${result.inputs.systemId}) is ${status}: changing its ${kind} (${changed.join(", ")}) means release with disk erase, re-apply and redeploy`;
        if (policy === "preview") {
            console.log(`warning: ${what} (\`up\` needs maas:allowRedeploy=true)`);
            return { inputs, failures: result.failures };
        }
        return { inputs, failures: [{ property: changed[0], reason: `${what}; refused: set maas:allowRedeploy to true (the CLI's --yes) to allow it` }] };
    };
}
