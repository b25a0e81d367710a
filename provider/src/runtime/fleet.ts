// Machine reads shared by every resource of the provider process. The engine runs a refresh (and the
// checks of a preview) for the whole fleet at once, so reads that arrive within a few milliseconds of
// each other are answered by one `GET machines/?id=…` list (split only to keep URLs short) instead of
// one request per resource: a refresh of a thousand machines costs a couple of requests.
import type { Machine, MaasClient } from "../maas";

interface Waiter {
    resolve: (m: Machine | undefined) => void;
    reject: (e: unknown) => void;
}

export class FleetReader {
    private queued = new Map<string, Waiter[]>();
    private flushing: NodeJS.Timeout | undefined;
    private readonly recent = new Map<string, { at: number; machine: Promise<Machine | undefined> }>();

    constructor(
        private readonly client: MaasClient,
        private readonly windowMs = 5,
    ) {}

    /**
     * The machine as MAAS lists it now, or undefined when MAAS no longer has it. `maxAgeMs` lets a
     * check reuse a read made a moment ago; never pass it after a change.
     */
    machine(systemId: string, maxAgeMs = 0): Promise<Machine | undefined> {
        const hit = this.recent.get(systemId);
        if (maxAgeMs > 0 && hit && Date.now() - hit.at <= maxAgeMs) return hit.machine;
        const read = new Promise<Machine | undefined>((resolve, reject) => {
            const waiters = this.queued.get(systemId) ?? [];
            waiters.push({ resolve, reject });
            this.queued.set(systemId, waiters);
            this.flushing ??= setTimeout(() => void this.flush(), this.windowMs);
        });
        this.recent.set(systemId, { at: Date.now(), machine: read });
        read.catch(() => this.recent.delete(systemId));
        return read;
    }

    private async flush(): Promise<void> {
        const batch = this.queued;
        this.queued = new Map();
        this.flushing = undefined;
        let machines: Machine[];
        try {
            machines = await this.client.machinesById([...batch.keys()]);
        } catch (e) {
            for (const waiters of batch.values()) for (const w of waiters) w.reject(e);
            return;
        }
        const byId = new Map(machines.map((m) => [m.system_id, m]));
        for (const [id, waiters] of batch) for (const w of waiters) w.resolve(byId.get(id));
    }
}
