// Existing stacks keep working: stack states written by a previous release of this project (the
// committed fixtures under test/fixtures/compat/<release>/, made by tools/make-compat-fixture.sh)
// are imported into a fresh backend, the MAAS they were made against is brought back from the
// simulator's state file, and this checkout's plain `pulumi` previews them — nothing to change —
// and destroys them: enlisted machines deleted from MAAS, adopted ones left as they are. The
// resources still carry the provider code of that release, so this also proves the names the
// runtime exports stay callable.
import { after, before, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { projectRoot } from "../../stacks/automation";
import { copyProject, type ProjectCopy } from "../helpers/project-copy";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator";

const FIXTURES = path.join(projectRoot, "test", "fixtures", "compat");
const INPUT_OF: Record<string, string> = { dev: "example_input.json", seed4: "usecase4.json" };

for (const release of fs.readdirSync(FIXTURES)) {
    const fixture = path.join(FIXTURES, release);
    describe(`stacks written by release ${release}`, { timeout: 600_000 }, () => {
        let sim: TestSimulator;
        let project: ProjectCopy;
        let env: NodeJS.ProcessEnv;
        const pulumi = async (command: string) => {
            const r = await project.bash(`source tools/pulumi-env.sh 2>/dev/null && ${command}`, env);
            assert.equal(r.code, 0, `\`${command}\` exited ${r.code}\n${r.stdout}\n${r.stderr}`);
            return r;
        };
        const status = async (hostname: string) => ((await sim.api("GET", "machines/", { hostname })).json() as { status_name: string }[])[0]?.status_name ?? "gone";

        before(async () => {
            const stateFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "maas-compat-")), "maas-state.json");
            fs.copyFileSync(path.join(fixture, "maas-state.json"), stateFile);
            sim = await startTestSimulator({ speed: 3000, state: stateFile });
            project = copyProject();
            env = { MAAS_API_URL: sim.url, MAAS_API_KEY: sim.apiKey, PULUMI_BACKEND_URL: "", PULUMI_HOME: "", PULUMI_CONFIG_PASSPHRASE: "" };
            for (const stack of Object.keys(INPUT_OF)) {
                // The stack's settings as that release wrote them (its secrets salt), with the input
                // file it was made from.
                const settings = YAML.parse(fs.readFileSync(path.join(fixture, `Pulumi.${stack}.yaml`), "utf8"));
                settings.config["maas:inputFile"] = path.join(fixture, INPUT_OF[stack]!);
                fs.writeFileSync(path.join(project.dir, `Pulumi.${stack}.yaml`), YAML.stringify(settings));
                await pulumi(`pulumi stack init ${stack} && pulumi stack import --file ${path.join(fixture, `stack-${stack}.json`)}`);
            }
        });

        after(async () => {
            await sim?.close();
            project?.close();
        });

        test("the MAAS of the fixture is back: its machines are where the release left them", async () => {
            assert.equal(await status("node01"), "Deployed");
            assert.equal(await status("node02"), "Deployed");
            assert.equal(await status("existing-node"), "Ready");
        });

        for (const stack of Object.keys(INPUT_OF)) {
            test(`${stack}: plain pulumi preview plans no change but the new fleet list`, async () => {
                // The one change this release brings to an existing stack: the list of its machines
                // (MaasFleet), which lets later previews see a machine leave the file.
                const r = await pulumi(`pulumi preview --stack ${stack} --json`);
                const steps = (JSON.parse(r.stdout) as { steps: { op: string; urn: string }[] }).steps.filter((st) => st.op !== "same" && st.op !== "refresh");
                assert.deepEqual(steps.map((st) => `${st.op} ${st.urn.split("::").slice(2).join("::")}`), ["create pulumi-nodejs:dynamic/maas:Fleet::fleet"], r.stdout);
            });
        }

        test("dev: up records the fleet list and changes nothing in MAAS; the next preview plans nothing", async () => {
            await sim.resetStats();
            await pulumi("pulumi up --stack dev --yes");
            assert.equal(await sim.mutatingRequestCount(), 0, "the upgrade's first up sends nothing that changes MAAS");
            await pulumi("pulumi preview --stack dev --expect-no-changes");
        });

        test("dev: destroy gives node01 and node02 back (released with erase, deleted)", async () => {
            await sim.resetStats();
            await pulumi("pulumi destroy --stack dev --yes");
            assert.equal(await status("node01"), "gone");
            assert.equal(await status("node02"), "gone");
            const stats = await sim.stats();
            const erased = Object.values(stats.machines).filter((m) => m.transitions.some((t) => t.to === "Disk erasing")).map((m) => m.hostname).sort();
            assert.deepEqual(erased, ["node01", "node02"]);
        });

        test("seed4: destroy forgets the adopted existing-node and leaves it in MAAS", async () => {
            await pulumi("pulumi destroy --stack seed4 --yes");
            assert.equal(await status("existing-node"), "Ready");
        });
    });
}
