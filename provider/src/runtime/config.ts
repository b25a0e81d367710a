// Provider configuration, read once per provider process from the stack config the engine hands to
// `configure` (keys `maas:*`), with MAAS_API_URL / MAAS_API_KEY as fallbacks. The client is built
// here, lazily, so one client (and one fleet-wide watcher) serves every resource of the deployment.
import { MaasClient, NotFoundError } from "../maas";
import { watchEngineLifeline } from "./lifeline";

export interface ProviderConfig {
    apiUrl: string;
    apiKey: string;
    maxRetries: number;
    pollIntervalMs: number;
    maxConcurrentRequests: number;
    requestTimeoutMs: number;
    caCert?: string;
    insecure: boolean;
    allowRedeploy: boolean;
}

export interface ConfigSource {
    get(key: string): string | undefined;
}

export class ProviderConfigError extends Error {}

function parseNumber(source: ConfigSource, key: string, fallback: number, min: number): number {
    const raw = source.get(key);
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new ProviderConfigError(`config ${key}: expected a number >= ${min}, got "${raw}"`);
    return n;
}

function parseBool(source: ConfigSource, key: string): boolean {
    const raw = source.get(key);
    if (raw === undefined || raw === "") return false;
    if (raw === "true" || raw === "1") return true;
    if (raw === "false" || raw === "0") return false;
    throw new ProviderConfigError(`config ${key}: expected true or false, got "${raw}"`);
}

export function readProviderConfig(source: ConfigSource, env: NodeJS.ProcessEnv = process.env): ProviderConfig {
    const apiUrl = source.get("maas:apiUrl") || env.MAAS_API_URL || "";
    const apiKey = source.get("maas:apiKey") || env.MAAS_API_KEY || "";
    if (!apiUrl) throw new ProviderConfigError("no MAAS URL: set maas:apiUrl (or MAAS_API_URL, or maas_api_url in the input file)");
    if (!apiKey) throw new ProviderConfigError("no MAAS API key: set maas:apiKey as a secret (or MAAS_API_KEY, or maas_api_key in the input file)");
    const caCert = source.get("maas:caCert") || env.MAAS_CA_FILE_CONTENT || undefined;
    return {
        apiUrl,
        apiKey,
        maxRetries: parseNumber(source, "maas:maxRetries", 5, 0),
        pollIntervalMs: parseNumber(source, "maas:pollInterval", 10, 0.05) * 1000,
        maxConcurrentRequests: parseNumber(source, "maas:maxConcurrentRequests", 16, 1),
        requestTimeoutMs: parseNumber(source, "maas:requestTimeout", 120, 1) * 1000,
        caCert,
        insecure: parseBool(source, "maas:insecure"),
        allowRedeploy: parseBool(source, "maas:allowRedeploy"),
    };
}

let current: { config: ProviderConfig; fingerprint: string; client?: MaasClient } | undefined;

/** Called from every resource provider's `configure`; later calls with the same config are no-ops. */
export function configure(source: ConfigSource): void {
    watchEngineLifeline(() => {
        void current?.client?.close();
        process.exit(1);
    });
    const config = readProviderConfig(source);
    const fingerprint = JSON.stringify(config);
    if (current && current.fingerprint === fingerprint) return;
    const old = current?.client;
    current = { config, fingerprint };
    if (old) void old.close();
}

export function providerConfig(): ProviderConfig {
    if (!current) {
        // Providers loaded from an older state may reach us without configure; use the environment.
        configure({ get: () => undefined });
    }
    return current!.config;
}

export function client(): MaasClient {
    const config = providerConfig();
    if (!current!.client) {
        const caCert = config.caCert && !config.caCert.includes("-----BEGIN")
            ? require("node:fs").readFileSync(config.caCert, "utf8") as string
            : config.caCert;
        current!.client = new MaasClient({
            apiUrl: config.apiUrl,
            apiKey: config.apiKey,
            maxRetries: config.maxRetries,
            pollIntervalMs: config.pollIntervalMs,
            maxConcurrentRequests: config.maxConcurrentRequests,
            requestTimeoutMs: config.requestTimeoutMs,
            caCert,
            insecure: config.insecure,
        });
    }
    return current!.client;
}

/** Whether a MAAS is configured at all (preview-time lookups are skipped without one). */
export function hasMaas(): boolean {
    try {
        providerConfig();
        return true;
    } catch {
        return false;
    }
}

// Reads shared by the resources of one provider process, so a fleet does not re-read the same thing
// per machine: the subnet list (stable during a run) and, for checks only, a machine read a moment ago.
let subnetsCache: { at: number; value: Promise<import("../maas").Subnet[]> } | undefined;
const SUBNETS_MAX_AGE_MS = 60_000;

export function cachedSubnets(): Promise<import("../maas").Subnet[]> {
    if (!subnetsCache || Date.now() - subnetsCache.at > SUBNETS_MAX_AGE_MS) {
        const value = client().listSubnets();
        subnetsCache = { at: Date.now(), value };
        value.catch(() => (subnetsCache = undefined));
    }
    return subnetsCache.value;
}

const machineReads = new Map<string, { at: number; value: Promise<import("../maas").Machine> }>();
const MACHINE_READ_MAX_AGE_MS = 2_000;

/** A machine as read at most a moment ago: for checks and gates, never after a change. */
export function recentMachine(systemId: string, operation: string): Promise<import("../maas").Machine> {
    const hit = machineReads.get(systemId);
    if (hit && Date.now() - hit.at <= MACHINE_READ_MAX_AGE_MS) return hit.value;
    const value = client().getMachine(systemId, operation);
    machineReads.set(systemId, { at: Date.now(), value });
    value.catch(() => machineReads.delete(systemId));
    return value;
}

/** The machine as MAAS has it now, or undefined when MAAS no longer knows it. */
export async function machineOrGone(systemId: string): Promise<import("../maas").Machine | undefined> {
    try {
        return await client().getMachine(systemId);
    } catch (e) {
        if (e instanceof NotFoundError) return undefined;
        throw e;
    }
}
