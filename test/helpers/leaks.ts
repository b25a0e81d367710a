// Searching what a run leaves behind (output, state, home directories) for a secret in every form a
// leak could take.
import * as fs from "node:fs";
import * as path from "node:path";

/** Every form a leaked value could take. */
export function forms(name: string, value: string): { what: string; text: string }[] {
    const out = [
        { what: `${name} raw`, text: value },
        { what: `${name} URL-encoded`, text: encodeURIComponent(value) },
        { what: `${name} form-encoded`, text: new URLSearchParams({ v: value }).toString().slice(2) },
        { what: `${name} base64`, text: Buffer.from(value).toString("base64").replace(/=+$/, "") },
        { what: `${name} base64url`, text: Buffer.from(value).toString("base64url") },
    ];
    return out.filter((f, i) => out.findIndex((g) => g.text === f.text) === i);
}

/** Each leak with 100 characters of context on each side (the secret itself masked). */
export function findLeaks(where: string, haystack: string, needles: { what: string; text: string }[]): string[] {
    return needles
        .filter((n) => haystack.includes(n.text))
        .map((n) => {
            const at = haystack.indexOf(n.text);
            const context = (haystack.slice(Math.max(0, at - 100), at) + "<SECRET>" + haystack.slice(at + n.text.length, at + n.text.length + 100)).replace(/\s+/g, " ");
            return `${n.what} in ${where}: …${context}…`;
        });
}

export function walk(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        return e.isDirectory() ? walk(p) : e.isFile() ? [p] : [];
    });
}
