// Progress lines on the provider's stdout, which the engine shows in `pulumi up`'s output. One JSON
// object per line after a fixed prefix, so people can read them and the CLI can parse them.
export interface ProgressEvent {
    host: string;
    systemId: string | null;
    state: string;
    elapsedS: number;
    timeoutS: number | null;
    message: string;
}

export const PROGRESS_PREFIX = "maas-progress ";

export function reportProgress(event: ProgressEvent): void {
    console.log(PROGRESS_PREFIX + JSON.stringify({ ...event, elapsedS: Math.round(event.elapsedS * 10) / 10 }));
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
