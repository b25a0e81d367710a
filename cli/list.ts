// `-a list`: every machine in MAAS, read directly with the project's MAAS client (no stack involved).
import type { MaasClient } from "@maas-automation/provider/dist/maas";
import { table } from "./output";

export interface ListedMachine {
    hostname: string;
    systemId: string;
    status: string;
    power: string;
    ipAddresses: string[];
}

export function maasCredentials(file: { maas_api_url?: string; maas_api_key?: { reveal(): string } }): { apiUrl?: string; apiKey?: string } {
    const apiUrl = process.env.MAAS_API_URL || file.maas_api_url;
    const apiKey = process.env.MAAS_API_KEY || file.maas_api_key?.reveal();
    return { ...(apiUrl ? { apiUrl } : {}), ...(apiKey ? { apiKey } : {}) };
}

export async function withClient<T>(creds: { apiUrl?: string; apiKey?: string }, maxRetries: number | undefined, fn: (c: MaasClient) => Promise<T>): Promise<T> {
    if (!creds.apiUrl || !creds.apiKey) throw new Error("no MAAS configured: set MAAS_API_URL and MAAS_API_KEY, or maas_api_url and maas_api_key in the input file");
    // Loaded on use: the client's HTTP stack is not needed for flag errors.
    const { MaasClient: Client } = require("@maas-automation/provider/dist/maas") as typeof import("@maas-automation/provider/dist/maas");
    const client = new Client({ apiUrl: creds.apiUrl, apiKey: creds.apiKey, ...(maxRetries !== undefined ? { maxRetries } : {}) });
    try {
        return await fn(client);
    } finally {
        await client.close();
    }
}

export async function listMachines(client: MaasClient): Promise<ListedMachine[]> {
    const machines = await client.listMachines();
    return machines
        .map((m) => ({ hostname: m.hostname, systemId: m.system_id, status: m.status_name, power: m.power_state ?? "unknown", ipAddresses: [...m.ip_addresses] }))
        .sort((a, b) => a.hostname.localeCompare(b.hostname));
}

export function machineTable(ms: ListedMachine[]): string {
    return table(
        ["HOSTNAME", "SYSTEM_ID", "STATUS", "POWER", "IPS"],
        ms.map((m) => [m.hostname, m.systemId, m.status, m.power, m.ipAddresses.join(",") || "-"]),
    );
}
