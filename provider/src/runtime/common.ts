// Helpers shared by the resource runtimes (they run inside the dynamic-provider process).
import { MaasError } from "../maas";

/** The engine's placeholder for a value not known until apply (sdk/nodejs/runtime/rpc.ts). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function containsUnknown(value: unknown): boolean {
    if (value === UNKNOWN) return true;
    if (Array.isArray(value)) return value.some(containsUnknown);
    if (value && typeof value === "object") return Object.values(value).some(containsUnknown);
    return false;
}

export interface CheckFailure {
    property: string;
    reason: string;
}

/**
 * The rejection the dynamic-provider host turns into "created but failed to initialise": the engine
 * records the resource with this id and these properties, so `destroy` can still undo it and the next
 * `up` resumes through `update` instead of creating it again.
 */
export interface PartialStateError {
    message: string;
    id: string;
    properties: Record<string, unknown>;
    reasons: string[];
}

export function partialState(message: string, id: string, properties: Record<string, unknown>): PartialStateError {
    const err = new Error(message) as Error & PartialStateError;
    err.id = id;
    err.properties = properties;
    err.reasons = [message];
    return err;
}

export function errorMessage(e: unknown): string {
    if (e instanceof MaasError) return e.message;
    if (e instanceof Error) return e.message;
    return String(e);
}

/** Deterministic JSON (sorted keys) for revisions and comparisons. */
export function canonicalJson(value: unknown): string {
    return JSON.stringify(sortDeep(value));
}

function sortDeep(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(sortDeep);
    if (value && typeof value === "object") {
        return Object.fromEntries(
            Object.keys(value as object)
                .sort()
                .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
                .map((k) => [k, sortDeep((value as Record<string, unknown>)[k])]),
        );
    }
    return value;
}

export function revisionOf(value: unknown): string {
    return require("node:crypto").createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 16);
}

export function sameJson(a: unknown, b: unknown): boolean {
    return canonicalJson(a) === canonicalJson(b);
}
