// The section this project keeps in a machine's MAAS description: who enlisted or adopted the
// machine (so a crashed `up` finds its own machine again instead of enlisting a second one) and the
// BIOS settings MAAS cannot apply (metadata only, as in the original SDK). Text outside the section
// is the operator's and is kept as it is.
const BEGIN = "--- maas-automation ---";
const END = "--- end maas-automation ---";

export type Ownership = "enlisted" | "adopted";

export interface MachineMarker {
    ownership: Ownership;
    /** "<project>/<stack>/<resource name>" */
    owner: string;
    bios: Record<string, string>;
}

export function renderDescription(existing: string, marker: MachineMarker): string {
    const operatorText = stripSection(existing);
    const lines = [BEGIN, `${marker.ownership}-by: ${marker.owner}`];
    if (Object.keys(marker.bios).length > 0) lines.push(`bios: ${JSON.stringify(sortKeys(marker.bios))}`);
    lines.push(END);
    return (operatorText ? operatorText + "\n" : "") + lines.join("\n");
}

export function parseMarker(description: string | undefined | null): MachineMarker | undefined {
    if (!description) return undefined;
    const start = description.indexOf(BEGIN);
    const end = description.indexOf(END);
    if (start < 0 || end < start) return undefined;
    const body = description.slice(start + BEGIN.length, end).split("\n").map((l) => l.trim()).filter(Boolean);
    let ownership: Ownership | undefined;
    let owner = "";
    let bios: Record<string, string> = {};
    for (const line of body) {
        const m = /^(enlisted|adopted)-by: (.+)$/.exec(line);
        if (m) {
            ownership = m[1] as Ownership;
            owner = m[2];
        } else if (line.startsWith("bios: ")) {
            try {
                bios = JSON.parse(line.slice(6)) as Record<string, string>;
            } catch {
                bios = {};
            }
        }
    }
    return ownership ? { ownership, owner, bios } : undefined;
}

export function stripSection(description: string | undefined | null): string {
    if (!description) return "";
    const start = description.indexOf(BEGIN);
    const end = description.indexOf(END);
    if (start < 0 || end < start) return description.trim();
    return (description.slice(0, start) + description.slice(end + END.length)).trim();
}

function sortKeys(o: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}
