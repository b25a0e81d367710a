// Provider configuration, read once per provider process from the stack config the engine hands to
// `configure` (keys `maas:*`), with MAAS_API_URL / MAAS_API_KEY as fallbacks. The client is built
// here, lazily, so one client (and one fleet-wide watcher) serves every resource of the deployment.
import { Machine, MaasClient, NotFoundError, Subnet } from "../maas";
import { FleetReader } from "./fleet";
import { watchEngineLifeline } from "./lifeline";
import { CredentialsFileError, FileCredentials, readFileCredentials, resolveInputFile } from "../credentials";

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

/** The input file's credentials, read only when neither the stack config nor the environment names MAAS. */
function fileCredentials(source: ConfigSource): () => FileCredentials & { problem?: string } {
    let read: (FileCredentials & { problem?: string }) | undefined;
    return () => {
        if (read) return read;
        const inputFile = source.get("maas:inputFile");
        try {
            read = inputFile ? readFileCredentials(resolveInputFile(inputFile)) : {};
        } catch (e) {
            if (!(e instanceof CredentialsFileError)) throw e;
            read = { problem: e.message };
        }
        return read;
    };
}

export function readProviderConfig(source: ConfigSource, env: NodeJS.ProcessEnv = process.env): ProviderConfig {
    const file = fileCredentials(source);
    const apiUrl = source.get("maas:apiUrl") || env.MAAS_API_URL || file().apiUrl || "";
    const apiKey = source.get("maas:apiKey") || env.MAAS_API_KEY || file().apiKey || "";
    const why = () => (file().problem ? ` (${file().problem})` : "");
    if (!apiUrl) throw new ProviderConfigError(`no MAAS URL: set maas:apiUrl, or MAAS_API_URL, or maas_api_url in the input file${why()}`);
    if (!apiKey) throw new ProviderConfigError(`no MAAS API key: set maas:apiKey as a secret, or MAAS_API_KEY, or maas_api_key in the input file${why()}`);
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

/** What one provider process knows during a deployment; `configure` creates it, and nothing else holds state. */
interface RuntimeContext {
    config: ProviderConfig;
    fingerprint: string;
    client?: MaasClient;
    fleet?: FleetReader;
    subnets?: { at: number; value: Promise<Subnet[]> };
    /** Resource owners whose `check` ran in this process: the program registered them (a delete of any other is a removal). */
    declared: Set<string>;
}

let current: RuntimeContext | undefined;

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
    current = { config, fingerprint, declared: new Set() };
    if (old) void old.close();
}

function context(): RuntimeContext {
    // Providers loaded from an older state may reach us without configure; use the environment.
    if (!current) configure({ get: () => undefined });
    return current!;
}

export function providerConfig(): ProviderConfig {
    return context().config;
}

export function client(): MaasClient {
    const ctx = context();
    if (!ctx.client) {
        const config = ctx.config;
        const caCert = config.caCert && !config.caCert.includes("-----BEGIN")
            ? require("node:fs").readFileSync(config.caCert, "utf8") as string
            : config.caCert;
        ctx.client = new MaasClient({
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
    return ctx.client;
}

function fleet(): FleetReader {
    const ctx = context();
    ctx.fleet ??= new FleetReader(client());
    return ctx.fleet;
}

/** Whether a MAAS is configured at all (preview-time lookups are skipped without one). */
export function hasMaas(): boolean {
    try {
        providerConfig();
        return true;
    } catch (e) {
        if (e instanceof ProviderConfigError) return false;
        throw e;
    }
}

const SUBNETS_MAX_AGE_MS = 60_000;

/** The subnet list, read at most once a minute per provider process (it is stable during a run). */
export function cachedSubnets(): Promise<Subnet[]> {
    const ctx = context();
    if (!ctx.subnets || Date.now() - ctx.subnets.at > SUBNETS_MAX_AGE_MS) {
        const value = client().listSubnets();
        const entry = { at: Date.now(), value };
        ctx.subnets = entry;
        value.catch(() => {
            if (ctx.subnets === entry) delete ctx.subnets;
        });
    }
    return ctx.subnets.value;
}

const MACHINE_READ_MAX_AGE_MS = 2_000;

/** A machine as read at most a moment ago, shared by the fleet: for checks and gates, never after a change. */
export async function recentMachine(systemId: string, operation: string): Promise<Machine> {
    const machine = await fleet().machine(systemId, MACHINE_READ_MAX_AGE_MS);
    if (!machine) throw new NotFoundError({ operation, systemId }, "the machine is no longer in MAAS");
    return machine;
}

/** The machine as MAAS has it now (one shared list request for the reads made together), or undefined when MAAS no longer knows it. */
export function machineOrGone(systemId: string): Promise<Machine | undefined> {
    return fleet().machine(systemId);
}

/** Records that the program declared this resource owner in this run (every check calls it). */
export function noteDeclared(owner: string): void {
    if (owner) context().declared.add(owner);
}

/**
 * Whether a delete of this owner is a removal from the program during `up` (the program ran its
 * checks in this process, and did not declare it), as opposed to `destroy` or a replacement.
 */
export function isRemoval(owner: string): boolean {
    const declared = context().declared;
    return declared.size > 0 && !declared.has(owner);
}
