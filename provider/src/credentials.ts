// The two MAAS credential keys of the operator's input file (`maas_api_url`, `maas_api_key`), read
// without anything else of the file's format. The stack program validates the whole file; the
// providers only need these two, as the last source of credentials under plain `pulumi up` (after the
// stack config and the environment), so the key never has to be copied into config or state.
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

export interface FileCredentials {
    apiUrl?: string;
    apiKey?: string;
}

export class CredentialsFileError extends Error {}

/** `maas_api_url` / `maas_api_key` of a JSON or YAML input file (`.yaml`/`.yml` is YAML). */
export function readFileCredentials(file: string): FileCredentials {
    let doc: unknown;
    try {
        const text = fs.readFileSync(file, "utf8");
        doc = /\.ya?ml$/i.test(file) ? YAML.parse(text) : JSON.parse(text);
    } catch (e) {
        // The parser's message may quote the file's text, and with it the key: name the file only.
        const reason = (e as NodeJS.ErrnoException).code ?? (e instanceof SyntaxError || e instanceof YAML.YAMLParseError ? "not valid JSON or YAML" : "unreadable");
        throw new CredentialsFileError(`cannot read MAAS credentials from ${file}: ${reason}`);
    }
    if (!doc || typeof doc !== "object") return {};
    const { maas_api_url: apiUrl, maas_api_key: apiKey } = doc as Record<string, unknown>;
    return {
        ...(typeof apiUrl === "string" && apiUrl ? { apiUrl } : {}),
        ...(typeof apiKey === "string" && apiKey ? { apiKey } : {}),
    };
}

/** The Pulumi project directory: the nearest directory at or above `from` that holds a Pulumi.yaml. */
export function findProjectDir(from: string = process.cwd()): string | undefined {
    for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml")) || fs.existsSync(path.join(dir, "Pulumi.yml"))) return dir;
        if (path.dirname(dir) === dir) return undefined;
    }
}

/** `maas:inputFile` as the program reads it: relative paths are relative to the project directory. */
export function resolveInputFile(inputFile: string, from: string = process.cwd()): string {
    return path.isAbsolute(inputFile) ? inputFile : path.resolve(findProjectDir(from) ?? from, inputFile);
}
