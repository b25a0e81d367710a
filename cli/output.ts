// Tables and the run summary.

export function table(headers: string[], rows: string[][]): string {
    const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
    const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd();
    return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

export type Outcome = "ok" | "unchanged" | "failed" | "blocked" | "not run" | "released" | "deleted" | "planned" | "refused" | "not at target";

export interface MachineResult {
    hostname: string;
    key: string;
    outcome: Outcome;
    durationS: number;
    /** MAAS status after the run, when known. */
    status: string | null;
    /** Last MAAS message (status message of the last progress line), or the error. */
    message: string;
    error?: string;
}

export interface RunSummary {
    stack: string;
    action: string | null;
    preview: boolean;
    exitCode: number;
    durationS: number;
    targets: string[];
    changes: Record<string, number>;
    machines: MachineResult[];
    warnings: string[];
}

export function summaryTable(s: RunSummary): string {
    const rows = s.machines.map((m) => [
        m.hostname,
        m.outcome,
        `${m.durationS.toFixed(1)}s`,
        m.status ?? "-",
        oneLine(m.error ?? m.message ?? "", 100),
    ]);
    return table(["MACHINE", "OUTCOME", "DURATION", "STATUS", "LAST MAAS MESSAGE"], rows);
}

export function oneLine(s: string, max: number): string {
    const t = s.replace(/\s+/g, " ").trim();
    return t.length > max ? t.slice(0, max - 1) + "…" : t;
}
