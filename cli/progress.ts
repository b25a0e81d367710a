// The live per-machine status line, fed by the providers' `maas-progress {...}` lines in the engine's
// output. On a terminal the block of lines is redrawn in place; otherwise one line per change.
import { parseProgressLine, type ProgressEvent } from "@maas-automation/provider/dist/runtime/progress";

export interface HostProgress {
    host: string;
    state: string;
    elapsedS: number;
    timeoutS: number | null;
    message: string;
    /** Wall clock of the last event. */
    at: number;
}

export function formatStatus(p: HostProgress): string {
    const left = p.timeoutS !== null ? `, ${Math.max(0, Math.round(p.timeoutS - p.elapsedS))}s of timeout left` : "";
    return `${p.host}: ${p.state} (${p.elapsedS.toFixed(1)}s${left})${p.message ? ` ${p.message}` : ""}`;
}

export class ProgressView {
    readonly latest = new Map<string, HostProgress>();
    private pending = "";
    /** The engine repeats provider output in its closing diagnostics: each line counts once. */
    private readonly seen = new Set<string>();
    private drawn = 0;
    private timer: NodeJS.Timeout | undefined;

    constructor(
        private readonly out: NodeJS.WriteStream,
        private readonly live: boolean,
        private readonly enabled = true,
    ) {
        if (live && enabled) {
            this.timer = setInterval(() => this.redraw(), 1000);
            this.timer.unref();
        }
    }

    /** Raw engine output (any chunking): picks out the progress lines. */
    feed(chunk: string): void {
        this.pending += chunk;
        let nl: number;
        while ((nl = this.pending.indexOf("\n")) >= 0) {
            const line = this.pending.slice(0, nl);
            this.pending = this.pending.slice(nl + 1);
            const ev = parseProgressLine(line);
            if (!ev) continue;
            const id = JSON.stringify(ev);
            if (this.seen.has(id)) continue;
            this.seen.add(id);
            this.onEvent(ev);
        }
    }

    onEvent(ev: ProgressEvent): void {
        if (!ev || typeof ev.host !== "string") return;
        const prev = this.latest.get(ev.host);
        const next: HostProgress = { host: ev.host, state: ev.state, elapsedS: ev.elapsedS ?? 0, timeoutS: ev.timeoutS ?? null, message: ev.message ?? "", at: Date.now() };
        this.latest.set(ev.host, next);
        if (!this.enabled) return;
        if (this.live) this.redraw();
        else if (!prev || prev.state !== next.state || prev.message !== next.message) this.out.write(formatStatus(next) + "\n");
    }

    private redraw(): void {
        if (!this.enabled || !this.live) return;
        const lines = [...this.latest.values()].map((p) => {
            // Between events, the elapsed time keeps running.
            const since = (Date.now() - p.at) / 1000;
            return formatStatus({ ...p, elapsedS: p.elapsedS + (isWaiting(p.state) ? since : 0) });
        });
        const width = this.out.columns || 120;
        let s = this.drawn > 0 ? `\x1b[${this.drawn}A` : "";
        for (const l of lines) s += `\x1b[2K${l.length > width - 1 ? l.slice(0, width - 2) + "…" : l}\n`;
        this.out.write(s);
        this.drawn = lines.length;
    }

    /** Leaves the last status lines on screen and stops redrawing. */
    stop(): void {
        if (this.timer) clearInterval(this.timer);
        this.timer = undefined;
        if (this.live) this.redraw();
        this.drawn = 0;
    }
}

function isWaiting(state: string): boolean {
    return /ing$/.test(state);
}
