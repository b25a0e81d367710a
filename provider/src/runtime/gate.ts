// The destructive-change policy for configuration resources (storage layout, bond, interface). MAAS
// edits them only on a Ready machine, so on a deployed machine a change is a delete-first replacement
// that makes the engine release (erase) and redeploy the machine. The engine releases dependents
// before it asks the deployment anything, so the policy is applied in the configuration resource's
// own `check`, from the machine's status in MAAS now.
import { hasMaas, recentMachine } from "./config";
import { CheckFailure, UNKNOWN, containsUnknown, errorMessage } from "./common";
import { judge } from "./policy";

interface GatedModule<I> {
    check(olds: Partial<I>, news: Record<string, unknown>): Promise<{ inputs: I; failures: CheckFailure[] }>;
    diff(id: string, olds: never, news: I): Promise<{ replaces: string[] }>;
}

/** Fields whose change is not the operator's configuration change. */
const NOT_CONFIGURATION = new Set(["revision", "systemId", "commissionRevision", "parentRevision", "redeployPolicy"]);

export function withRedeployGate<I extends { systemId: string; hostname: string }>(kind: string, mod: GatedModule<I>) {
    return async (olds: Partial<I>, news: Record<string, unknown>) => {
        const result = await mod.check(olds, news);
        // Older resources carry a per-run redeploy policy among their inputs; the policy is the config's now.
        const { redeployPolicy: _old, ...inputs } = result.inputs as I & { redeployPolicy?: unknown };
        const done = { inputs: inputs as I, failures: result.failures };
        if (result.failures.length > 0 || !olds || !olds.systemId) return done;
        const { replaces } = await mod.diff("", olds as never, result.inputs);
        const changed = replaces.filter((f) => !NOT_CONFIGURATION.has(f) && !containsUnknown((result.inputs as Record<string, unknown>)[f]));
        if (changed.length === 0 || result.inputs.systemId === UNKNOWN || !hasMaas()) return done;
        const { hostname, systemId } = result.inputs;
        let status: string;
        try {
            status = (await recentMachine(systemId, `read machine before changing its ${kind}`)).status_name;
        } catch (e) {
            return { ...done, failures: [{ property: changed[0]!, reason: errorMessage(e) }] };
        }
        const refusal = judge("redeploy", { hostname, systemId, status }, `changing its ${kind} (${changed.join(", ")})`);
        return refusal ? { ...done, failures: [{ property: changed[0]!, reason: refusal }] } : done;
    };
}
