// Plain `pulumi` in the project directory, as the README's "With the Pulumi CLI" section says it,
// command by command: the real CLI and its Node.js language host as separate processes, against the
// simulator over HTTP, with the MAAS credentials only in the environment, then only in the input
// file, then only in the stack config. Every run's output, the state and PULUMI_HOME are searched for
// the API key and the BMC password in every form a leak could take, including at -v=9.
import { after, before, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { copyProject, readmeBlock, type ProjectCopy } from "../helpers/project-copy";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator";
import { findLeaks, forms, walk } from "../helpers/leaks";

const BMC_PASSWORD = "bmc-Pa55-" + Math.random().toString(36).slice(2, 10);

/** The copy's example file, with a BMC password of this run and optionally the MAAS credentials. */
function writeExample(project: ProjectCopy, credentials?: { url: string; key: string }): void {
    const file = path.join(project.dir, "examples", "example_input.json");
    const example = JSON.parse(fs.readFileSync(file, "utf8"));
    for (const m of example.machines) m.power_parameters.power_pass = BMC_PASSWORD;
    delete example.maas_api_url;
    delete example.maas_api_key;
    if (credentials) Object.assign(example, { maas_api_url: credentials.url, maas_api_key: credentials.key });
    fs.writeFileSync(file, JSON.stringify(example, null, 2));
}

/** A README block's commands, without comments. */
function commands(block: string): string[] {
    return readmeBlock(block).map((l) => l.replace(/\s+#.*$/, "")).filter((l) => !l.startsWith("#"));
}

describe("plain pulumi in the project directory", { timeout: 900_000 }, () => {
    let sim: TestSimulator;
    let project: ProjectCopy;
    const outputs: { what: string; text: string }[] = [];
    const timings: Record<string, number[]> = {};

    /** Commands one bash process each, after the README's setup line, stopping at the first failure. */
    async function follow(lines: string[], env: NodeJS.ProcessEnv, label: string, afterEach: (line: string) => Promise<void> = async () => undefined): Promise<void> {
        const setup = commands("plain-pulumi").find((l) => l.startsWith("source "))!;
        for (const line of lines) {
            const r = await project.bash(`${setup} 2>/dev/null && ${line}`, env);
            outputs.push({ what: `${label}: ${line}`, text: r.stdout + r.stderr });
            (timings[line.split(sim.apiKey).join("<key>")] ??= []).push(r.seconds);
            assert.equal(r.code, 0, `${label}: \`${line}\` exited ${r.code}\n${r.stdout}\n${r.stderr}`);
            await afterEach(line);
        }
    }

    const machineStatus = async (hostname: string) => {
        const r = await sim.api("GET", "machines/", { hostname });
        const list = r.json() as { status_name: string }[];
        return list[0]?.status_name ?? "gone";
    };

    /** No credentials of the test process leak into the commands' environment. */
    const cleanEnv = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ MAAS_API_URL: "", MAAS_API_KEY: "", PULUMI_BACKEND_URL: "", PULUMI_HOME: "", PULUMI_CONFIG_PASSPHRASE: "", ...extra });

    before(async () => {
        sim = await startTestSimulator({ speed: 3000 });
        project = copyProject();
    });

    after(async () => {
        await sim?.close();
        if (Object.keys(timings).length) {
            const rows = Object.entries(timings).map(([cmd, s]) => `${cmd}: ${s.map((x) => x.toFixed(1)).join(", ")} s`);
            console.log(`plain pulumi command times (one per credential source):\n  ${rows.join("\n  ")}`);
        }
        project?.close();
    });

    /** The README's commands (`extra` after stack select); checks MAAS after up and after destroy. */
    async function rollout(label: string, env: NodeJS.ProcessEnv, o: { extra?: string[]; verboseUp?: boolean } = {}) {
        const lines = commands("plain-pulumi").filter((l) => !l.startsWith("source "));
        const at = lines.findIndex((l) => l.startsWith("pulumi stack select"));
        lines.splice(at + 1, 0, ...(o.extra ?? []));
        const run = lines.map((l) => (o.verboseUp && l.startsWith("pulumi up") ? `${l} -v=9 --logtostderr --logflow` : l));
        await follow(run, env, label, async (line) => {
            if (line.startsWith("pulumi up")) {
                assert.equal(await machineStatus("node01"), "Deployed", `${label}: node01 after up`);
                assert.equal(await machineStatus("node02"), "Deployed", `${label}: node02 after up`);
            }
            if (line.startsWith("pulumi destroy")) {
                assert.equal(await machineStatus("node01"), "gone", `${label}: node01 is still in MAAS after destroy`);
                assert.equal(await machineStatus("node02"), "gone", `${label}: node02 is still in MAAS after destroy`);
            }
        });
    }

    test("README commands with the credentials only in the environment", async () => {
        writeExample(project);
        await rollout("environment", cleanEnv({ MAAS_API_URL: sim.url, MAAS_API_KEY: sim.apiKey }));
    });

    test("README commands with the credentials only in the input file, up at -v=9", async () => {
        writeExample(project, { url: sim.url, key: sim.apiKey });
        await rollout("input file", cleanEnv(), { verboseUp: true });
    });

    test("README commands with the credentials only in the stack config", async () => {
        writeExample(project);
        const extra = commands("plain-pulumi-config").map((l) => l.replace("http://127.0.0.1:5240/MAAS", sim.url).replace("<consumer:token:secret>", sim.apiKey));
        await rollout("stack config", cleanEnv(), { extra });
        const settings = fs.readFileSync(path.join(project.dir, "Pulumi.dev.yaml"), "utf8");
        assert.match(settings, /maas:apiKey:\s*\n\s*secure:/, "the key is stored encrypted in the stack config");
    });

    test("neither the API key nor the BMC password appears in any output, state or PULUMI_HOME file", () => {
        const needles = [...forms("API key", sim.apiKey), ...forms("API token secret", sim.apiKey.split(":")[2]!), ...forms("BMC password", BMC_PASSWORD)];
        const leaks = outputs.flatMap((o) => findLeaks(o.what, o.text, needles));
        for (const dir of [".pulumi-state", ".pulumi-home"]) {
            for (const f of walk(path.join(project.dir, dir))) leaks.push(...findLeaks(path.relative(project.dir, f), fs.readFileSync(f, "latin1"), needles));
        }
        const verbose = outputs.find((o) => o.what.includes("-v=9"));
        assert.ok(verbose && verbose.text.length > 50_000, "the -v=9 run printed the engine's verbose log");
        assert.deepEqual(leaks, []);
    });
});
