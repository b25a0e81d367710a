// Progress of long MAAS operations, on the provider's stdout, which the engine shows in `pulumi up`'s
// output. People read text, one line per state change: "node01 a7twyd: Deploying (3m12s of 30m)".
// MAAS_AUTOMATION_PROGRESS=steps adds the steps within a state (storage and network calls);
// MAAS_AUTOMATION_PROGRESS=json prints every event as a `maas-progress {json}` line for the project's
// own tools, which render them (formatProgress is the one formatter both use).
import { formatDuration } from "../maas/errors";

export interface ProgressEvent {
    host: string;
    systemId: string | null;
    state: string;
    elapsedS: number;
    timeoutS: number | null;
    message: string;
    /** A step within a state (a storage or network call), not a state change. */
    step?: boolean;
}

export const PROGRESS_PREFIX = "maas-progress ";

export type ProgressMode = "text" | "steps" | "json";

export function progressMode(env: NodeJS.ProcessEnv = process.env): ProgressMode {
    const v = env.MAAS_AUTOMATION_PROGRESS;
    return v === "json" || v === "steps" ? v : "text";
}

/** "node01 a7twyd: Commissioning (3m12s of 20m) enlisted" — hostname first, system_id beside it. */
export function formatProgress(ev: ProgressEvent): string {
    const who = ev.systemId ? `${ev.host} ${ev.systemId}` : ev.host;
    const time = ev.timeoutS ? ` (${formatDuration(ev.elapsedS * 1000)} of ${formatDuration(ev.timeoutS * 1000)})` : "";
    const message = ev.message && ev.message !== ev.state ? ` ${ev.message}` : "";
    return `${who}: ${ev.state}${time}${message}`;
}

export function reportProgress(event: ProgressEvent): void {
    const mode = progressMode();
    const ev = { ...event, elapsedS: Math.round(event.elapsedS * 10) / 10 };
    if (mode === "json") console.log(PROGRESS_PREFIX + JSON.stringify(ev));
    else if (mode === "steps" || !ev.step) console.log(formatProgress(ev));
}

export function parseProgressLine(line: string): ProgressEvent | undefined {
    const at = line.indexOf(PROGRESS_PREFIX);
    if (at < 0) return undefined;
    try {
        return JSON.parse(line.slice(at + PROGRESS_PREFIX.length)) as ProgressEvent;
    } catch {
        return undefined;
    }
}

/**
 * The `onChange` of a wait: reports the machine's state when it differs from the last one reported
 * (the watcher's first look usually repeats the state the wait started in).
 */
export function stateChanges(host: string, startState: string, timeoutS: number): (m: { system_id: string; status_name: string; status_message?: string | null }) => void {
    const started = Date.now();
    let last = startState;
    return (m) => {
        if (m.status_name === last) return;
        last = m.status_name;
        reportProgress({ host, systemId: m.system_id, state: m.status_name, elapsedS: (Date.now() - started) / 1000, timeoutS, message: m.status_message ?? "" });
    };
}
