// Command-line flags of `maas-automation`: the original SDK's flags (-i, --hosts, -a, --max-retries,
// -v) plus what the engine adds (--preview, --yes, --stack, --json, --continue-on-error).
// A small parser whose errors name the flag.

import { ACTIONS, type Action } from "../stacks/input";

/** `-a` takes the file's action names (stacks/input.ts). */
export const ACTION_NAMES = ACTIONS;
export type CliAction = Action;

export interface CliOptions {
    input: string;
    /** undefined or "all": every machine of the file. */
    hosts?: string[];
    action?: CliAction;
    maxRetries?: number;
    verbose: boolean;
    preview: boolean;
    yes: boolean;
    stack: string;
    json: boolean;
    continueOnError: boolean;
    refresh: boolean;
    help: boolean;
    /** Hidden: extra stack config for this run (`--config maas:pollInterval=0.2`). */
    config: Record<string, string>;
}

export class UsageError extends Error {}

interface FlagSpec {
    long: string;
    short?: string;
    value?: string;
    default: string;
    help: string;
    hidden?: boolean;
    /** Takes the --no-<flag> form. */
    negatable?: boolean;
}

export const FLAGS: FlagSpec[] = [
    { long: "input", short: "i", value: "FILE", default: "(required)", help: "the input file, JSON or YAML (the original SDK's format)" },
    { long: "hosts", value: "H1,H2|all", default: "all", help: "only these machines (by hostname or id): targets their resources and what depends on them" },
    { long: "action", short: "a", value: "ACTION", default: "(the file's actions)", help: `run one stage only: ${ACTION_NAMES.join(", ")}` },
    { long: "max-retries", value: "N", default: "5", help: "retries of a failed MAAS request, 0 = forever (stack config maas:maxRetries)" },
    { long: "verbose", short: "v", default: "off", help: "also show the engine's own output" },
    { long: "preview", default: "off", help: "show the plan (what would change) and stop; nothing is sent to MAAS but reads" },
    { long: "yes", short: "y", default: "off", help: "no confirmation for destructive plans (delete, replace, release, re-commission); allows redeploys" },
    { long: "stack", value: "NAME", default: "dev", help: "the stack (state in the same local backend as the `pulumi` commands)" },
    { long: "json", default: "off", help: "print a machine-readable summary object instead of the table" },
    { long: "continue-on-error", default: "on", negatable: true, help: "one failed machine does not stop the others (--no-continue-on-error: stop at the first failure)" },
    { long: "refresh", default: "on", negatable: true, help: "read what MAAS has now before planning, so drift is seen (--no-refresh: trust the state)" },
    { long: "help", short: "h", default: "", help: "this help" },
    { long: "config", value: "KEY=VALUE", default: "", help: "extra stack config for this run", hidden: true },
];

export function helpText(): string {
    const rows = FLAGS.filter((f) => !f.hidden).map((f) => {
        const names = `${f.short ? `-${f.short}, ` : "    "}--${f.long}${f.value ? ` ${f.value}` : ""}`;
        const def = f.default ? ` [default: ${f.default}]` : "";
        return `  ${names.padEnd(30)} ${f.help}${def}`;
    });
    return [
        "Usage: maas-automation -i FILE [--hosts H1,H2|all] [-a ACTION] [options]",
        "",
        "Brings the machines of FILE to what it describes, through the Pulumi engine and the project's stack",
        "program (previews, state, drift detection). --hosts and -a never change the program: they only pick",
        "which of its resources this run touches.",
        "",
        "Options:",
        ...rows,
        "",
        "Environment: MAAS_API_URL / MAAS_API_KEY (else maas_api_url / maas_api_key of the file);",
        "MAAS_AUTOMATION_HOME=DIR keeps state, PULUMI_HOME and stack files under DIR instead of the project.",
        "",
        "Exit codes: 0 every machine reached its target, 1 some failed, 2 bad flags or input file,",
        "3 refused (a destructive plan needs --yes when stdin is not a terminal).",
    ].join("\n");
}

export function parseArgs(argv: readonly string[]): CliOptions {
    const o: Partial<CliOptions> & { config: Record<string, string> } = { config: {} };
    let verbose = false, preview = false, yes = false, json = false, help = false, continueOnError = true, refresh = true;
    let stack = "dev";
    const byShort = new Map(FLAGS.filter((f) => f.short).map((f) => [f.short!, f]));
    const byLong = new Map(FLAGS.map((f) => [f.long, f]));
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i]!;
        let spec: FlagSpec | undefined;
        let inline: string | undefined;
        let negated = false;
        if (arg.startsWith("--")) {
            const eq = arg.indexOf("=");
            let name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
            if (eq >= 0) inline = arg.slice(eq + 1);
            if (name.startsWith("no-") && byLong.get(name.slice(3))?.negatable) {
                negated = true;
                name = name.slice(3);
            }
            spec = byLong.get(name);
            if (!spec) throw new UsageError(`unknown flag ${arg.split("=")[0]} (see --help)`);
        } else if (arg.startsWith("-") && arg.length > 1) {
            spec = byShort.get(arg.slice(1, 2));
            if (!spec) throw new UsageError(`unknown flag ${arg} (see --help)`);
            if (arg.length > 2) inline = arg.slice(2);
        } else {
            throw new UsageError(`unexpected argument "${arg}": flags only (the input file goes after -i)`);
        }
        const flag = spec.short ? `-${spec.short}/--${spec.long}` : `--${spec.long}`;
        let value: string | undefined;
        if (spec.value) {
            value = inline ?? argv[++i];
            if (value === undefined || value === "" || (inline === undefined && value.startsWith("-") && value.length > 1 && !/^-\d/.test(value)))
                throw new UsageError(`${flag} needs a value (${spec.value})`);
        } else if (inline !== undefined) {
            throw new UsageError(`${flag} takes no value`);
        }
        switch (spec.long) {
            case "input":
                o.input = value!;
                break;
            case "hosts": {
                const hosts = value!.split(",").map((h) => h.trim()).filter(Boolean);
                if (hosts.length === 0) throw new UsageError(`--hosts needs a comma-separated list of hostnames, or all`);
                if (hosts.length === 1 && hosts[0] === "all") delete o.hosts;
                else o.hosts = hosts;
                break;
            }
            case "action":
                if (!(ACTION_NAMES as readonly string[]).includes(value!))
                    throw new UsageError(`-a/--action: unknown action "${value}"; one of ${ACTION_NAMES.join(", ")}`);
                o.action = value as CliAction;
                break;
            case "max-retries": {
                if (!/^\d+$/.test(value!)) throw new UsageError(`--max-retries: expected a whole number >= 0 (0 = forever), got "${value}"`);
                o.maxRetries = Number(value);
                break;
            }
            case "verbose":
                verbose = true;
                break;
            case "preview":
                preview = true;
                break;
            case "yes":
                yes = true;
                break;
            case "stack":
                if (!/^[A-Za-z0-9_.-]+$/.test(value!)) throw new UsageError(`--stack: "${value}" is not a stack name (letters, digits, _ . -)`);
                stack = value!;
                break;
            case "json":
                json = true;
                break;
            case "continue-on-error":
                continueOnError = !negated;
                break;
            case "refresh":
                refresh = !negated;
                break;
            case "help":
                help = true;
                break;
            case "config": {
                const eq = value!.indexOf("=");
                if (eq <= 0) throw new UsageError(`--config: expected KEY=VALUE, got "${value}"`);
                const key = value!.slice(0, eq);
                o.config[key.includes(":") ? key : `maas:${key}`] = value!.slice(eq + 1);
                break;
            }
        }
    }
    if (!help && !o.input) throw new UsageError("-i/--input FILE is required (the input file, JSON or YAML)");
    return {
        input: o.input ?? "",
        ...(o.hosts ? { hosts: o.hosts } : {}),
        ...(o.action ? { action: o.action } : {}),
        ...(o.maxRetries !== undefined ? { maxRetries: o.maxRetries } : {}),
        verbose,
        preview,
        yes,
        stack,
        json,
        continueOnError,
        refresh,
        help,
        config: o.config,
    };
}
