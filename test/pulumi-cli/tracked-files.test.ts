// The project's own commands never write a tracked file (nor leave a new one) in the checkout: the
// CLI with the example file, with an input file outside the repository and a stack of its own, and
// `-a commission` (whose token lives in the stack's state, not in Pulumi.dev.yaml), and the demo.
// After `-a commission`, plain `pulumi preview` of the same stack plans nothing: the token no longer
// configured anywhere does not re-commission, and nothing is redeployed.
import { after, before, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { copyProject, type ProjectCopy } from "../helpers/project-copy";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator";

describe("the project's commands leave the checkout as it was", { timeout: 900_000 }, () => {
    let sim: TestSimulator;
    let project: ProjectCopy;
    let outside: string;
    const env = (): NodeJS.ProcessEnv => ({ MAAS_API_URL: sim.url, MAAS_API_KEY: sim.apiKey, MAAS_AUTOMATION_HOME: "", PULUMI_BACKEND_URL: "", PULUMI_HOME: "", PULUMI_CONFIG_PASSPHRASE: "" });
    const cli = async (args: string) => {
        const r = await project.bash(`node dist/cli/main.js ${args} --config maas:pollInterval=0.2`, env());
        assert.equal(r.code, 0, `maas-automation ${args} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
        assert.equal(project.gitStatus(), "", `maas-automation ${args} changed the checkout`);
        return r;
    };

    before(async () => {
        sim = await startTestSimulator({ speed: 3000 });
        project = copyProject();
        outside = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "maas-outside-")), "existing.json");
        fs.writeFileSync(outside, JSON.stringify({ actions: ["commission"], machines: [{ hostname: "existing-node" }] }));
    });

    after(async () => {
        await sim?.close();
        project?.close();
    });

    test("the CLI with the example file", async () => {
        await cli("-i examples/example_input.json --yes");
    });

    test("the CLI with an input file outside the repository and --stack NAME", async () => {
        await cli(`-i ${outside} --stack outside --yes`);
    });

    test("-a commission, then plain pulumi preview of the same stack plans no change", async () => {
        await sim.resetStats();
        await cli("-i examples/example_input.json -a commission --hosts node01 --yes");
        const commissioned = (await sim.stats()).machines;
        assert.ok(Object.values(commissioned).some((m) => m.hostname === "node01" && m.transitions.some((t) => t.to === "Commissioning")), "node01 was commissioned again");
        await cli("-i examples/example_input.json --yes");
        const r = await project.bash("source tools/pulumi-env.sh 2>/dev/null && pulumi preview --stack dev --expect-no-changes", env());
        assert.equal(r.code, 0, `plain preview after -a commission:\n${r.stdout}\n${r.stderr}`);
        assert.equal(project.gitStatus(), "");
    });

    test("npm run demo", async () => {
        const r = await project.bash("MAAS_SIM_SPEED=3000 npm run --silent demo", env());
        assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
        // Each progress event once, as text (the engine repeats provider output under Diagnostics).
        assert.doesNotMatch(r.stdout, /maas-progress/);
        assert.equal((r.stdout.match(/node01 \w+: Deployed/g) ?? []).length, 1, r.stdout);
        assert.equal(project.gitStatus(), "", "npm run demo changed the checkout");
    });
});
