// Issue 9 end to end: the `maas-automation` command as an operator runs it (a child process, stdin not
// a terminal), against the simulator, through the real engine, with a private state directory.
import { after, before, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MaasClient } from "@maas-automation/provider/dist/maas";
import { projectRoot, locateEngine } from "../../stacks/automation";
import { startTestSimulator, type TestSimulator } from "../helpers/simulator";

const CLI = path.join(projectRoot, "dist", "cli", "main.js");
const FAST = ["--config", "maas:pollInterval=0.2"];
const ipmi = (addr: string) => ({ power_address: addr, power_user: "root", power_pass: "s3cret-bmc" });

const network = {
    bonds: [{ name: "bond0", interfaces: ["eth0", "eth1"], mode: "active-backup" }],
    interfaces: [{ name: "bond0", subnet: "10.0.0.0/24", ip_mode: "auto" }],
};
const fleet = (node02: Record<string, unknown> = {}) => ({
    actions: ["create_machine", "set_power", "set_bios", "commission", "configure_storage", "configure_network", "deploy"],
    storage: { params: { root_size_g: 20 } },
    network,
    machines: [
        { hostname: "node01", pxe_mac: "aa:bb:cc:dd:ee:ff", power_type: "ipmi", power_parameters: ipmi("10.0.0.100"), distro_series: "jammy", bios: { boot_mode: "uefi" } },
        { hostname: "node02", pxe_mac: "aa:bb:cc:dd:ef:00", power_type: "ipmi", power_parameters: ipmi("10.0.0.101"), distro_series: "jammy", bios: { boot_mode: "uefi" }, ...node02 },
    ],
});

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

describe("maas-automation CLI", { timeout: 600_000 }, () => {
    let sim: TestSimulator;
    let dir: string;
    let env: NodeJS.ProcessEnv;

    const write = (name: string, content: unknown): string => {
        const file = path.join(dir, name);
        fs.writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
        return file;
    };
    const cli = (args: string[]): Promise<Run> =>
        new Promise((resolve, reject) => {
            const child = spawn(process.execPath, [CLI, ...args], { env, cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d) => (stdout += d));
            child.stderr.on("data", (d) => (stderr += d));
            child.on("error", reject);
            const t0 = Date.now();
            child.on("close", (code) => {
                // CLI_TEST_TIMING=1: how long each invocation took.
                if (process.env.CLI_TEST_TIMING) console.error(`[${((Date.now() - t0) / 1000).toFixed(1)}s] ${args.join(" ")}`);
                resolve({ code: code ?? -1, stdout, stderr });
            });
        });
    const show = (r: Run) => `exit ${r.code}\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
    const machine = async (hostname: string) => {
        const c = new MaasClient({ apiUrl: sim.url, apiKey: sim.apiKey });
        try {
            return (await c.listMachines({ hostname: [hostname] }))[0];
        } finally {
            await c.close();
        }
    };
    const transitionsOf = async (hostname: string) => {
        const stats = await sim.stats();
        return Object.values(stats.machines).filter((m) => m.hostname === hostname).flatMap((m) => m.transitions.map((t) => t.to));
    };

    before(async () => {
        sim = await startTestSimulator({ speed: 3000 });
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "maas-cli-"));
        env = {
            ...process.env,
            PATH: `${locateEngine().binDir}${path.delimiter}${process.env.PATH ?? ""}`,
            MAAS_API_URL: sim.url,
            MAAS_API_KEY: sim.apiKey,
            MAAS_AUTOMATION_HOME: path.join(dir, "home"),
        };
    });
    after(async () => {
        await sim.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    test("--help lists every flag with its default", async () => {
        const r = await cli(["--help"]);
        assert.equal(r.code, 0, show(r));
        for (const flag of ["-i, --input", "--hosts", "-a, --action", "--max-retries", "-v, --verbose", "--preview", "--yes", "--stack", "--json", "--continue-on-error"])
            assert.ok(r.stdout.includes(flag), `${flag} in help:\n${r.stdout}`);
        for (const d of ["[default: dev]", "[default: 5]", "[default: on]", "[default: all]"]) assert.ok(r.stdout.includes(d), d);
    });

    test("bad flags and files exit 2 with a message naming the flag or the JSON path, before any MAAS request", async () => {
        await sim.resetStats();
        const good = write("good.json", fleet());
        const cases: [string[], RegExp][] = [
            [["--frobnicate", "-i", good], /--frobnicate/],
            [["--hosts", "node01"], /-i\/--input/],
            [["-i", good, "--max-retries", "many"], /--max-retries/],
            [["-i", good, "-a", "reboot"], /-a\/--action.*reboot/],
            [["-i", good, "--hosts", "node09"], /--hosts: no machine "node09"/],
            [["-i", path.join(dir, "missing.json")], /-i\/--input.*no such file/],
            [["-i", write("bad.json", { actions: ["create_machine"], machines: [{ hostname: "node01", pxe_mac: "not-a-mac" }] })], /machines\[0\]\.pxe_mac/],
            [["-i", write("bad.yaml", "actions: [create_machine]\nmachines:\n  - hostname: node01\n    distro_series: [1]\n")], /machines\[0\]\.distro_series/],
            [["-i", write("nostorage.json", { actions: ["create_machine"], machines: [{ hostname: "node01", pxe_mac: "aa:bb:cc:dd:ee:ff" }] }), "-a", "configure_storage"], /configure_storage/],
        ];
        for (const [args, message] of cases) {
            const r = await cli(args);
            assert.equal(r.code, 2, `${args.join(" ")}: ${show(r)}`);
            assert.match(r.stderr, message, args.join(" "));
        }
        const stats = await sim.stats();
        assert.equal(stats.requests.reduce((n, x) => n + x.count, 0), 0, "no request reached MAAS");
    });

    test("-a list prints every machine in MAAS as a table; --json as an object", async () => {
        const file = write("list.json", { actions: ["list"] });
        const r = await cli(["-i", file, "-a", "list"]);
        assert.equal(r.code, 0, show(r));
        assert.match(r.stdout, /HOSTNAME\s+SYSTEM_ID\s+STATUS\s+POWER\s+IPS/);
        const existing = await machine("existing-node");
        assert.match(r.stdout, new RegExp(`existing-node\\s+${existing.system_id}\\s+Ready`));
        const j = await cli(["-i", file, "--json"]);
        assert.equal(j.code, 0, show(j));
        assert.deepEqual(JSON.parse(j.stdout).machines.map((m: { hostname: string }) => m.hostname), ["existing-node"]);
    });

    test("--preview shows the plan and changes nothing", async () => {
        const file = write("fleet.json", fleet());
        await sim.resetStats();
        const r = await cli(["-i", file, "--stack", "cli", "--preview", ...FAST]);
        assert.equal(r.code, 0, show(r));
        assert.match(r.stdout, /create\s+Machine aa-bb-cc-dd-ee-ff/);
        assert.match(r.stdout, /create\s+Deployment aa-bb-cc-dd-ef-00-deployment/);
        assert.match(r.stdout, /nothing was changed/);
        assert.equal(await sim.mutatingRequestCount(), 0, "a preview sends no mutating request");
        assert.equal(await machine("node01"), undefined);
    });

    test("--hosts node01 brings only node01 to its target; node02 is not touched", async () => {
        const file = write("fleet.json", fleet());
        await sim.resetStats();
        const r = await cli(["-i", file, "--stack", "cli", "--hosts", "node01", ...FAST]);
        assert.equal(r.code, 0, show(r));
        assert.match(r.stdout, /node01: Deployed/, "a status line per change");
        assert.match(r.stdout, /MACHINE\s+OUTCOME\s+DURATION\s+STATUS\s+LAST MAAS MESSAGE/);
        assert.match(r.stdout, /node01\s+ok\s+[\d.]+s\s+Deployed/);
        assert.equal((await machine("node01"))?.status_name, "Deployed");
        assert.equal(await machine("node02"), undefined, "node02 was not enlisted");
        const stats = await sim.stats();
        assert.ok(!Object.values(stats.machines).some((m) => m.hostname === "node02"), "the simulator saw nothing of node02");
        const inventory = await sim.inventory();
        assert.equal(inventory.servers.find((s) => s.hostname === "node02")?.systemId, null);
    });

    test("each seed action, stage by stage, through -a (node02)", async () => {
        // Enlisted with an old BMC address; the file everyone else uses has the new one.
        const base = ["-i", write("fleet-old-bmc.json", fleet({ power_parameters: ipmi("10.0.0.121") })), "--stack", "cli", "--hosts", "node02", ...FAST];
        // Stages run alone: a later stage first says which one to run.
        const early = await cli([...base, "-a", "deploy"]);
        assert.equal(early.code, 1, show(early));
        assert.match(early.stdout, /node02\s+blocked.*-a create_machine/);

        const created = await cli([...base, "-a", "create_machine", "--yes"]);
        assert.equal(created.code, 0, show(created));
        const m = await machine("node02");
        assert.equal(m?.status_name, "Ready", "enlisted and commissioned");
        assert.equal(m?.power_type, "ipmi");

        // set_power applies a changed BMC address; the other machine-stage actions target the same resource.
        const repowered = write("fleet.json", fleet());
        const rebase = ["-i", repowered, "--stack", "cli", "--hosts", "node02", ...FAST];
        await sim.resetStats();
        for (const action of ["set_power", "find_machine", "set_bios", "commission"]) {
            const r = await cli([...rebase, "-a", action, "--yes", "--json"]);
            assert.equal(r.code, 0, `${action}: ${show(r)}`);
            const summary = JSON.parse(r.stdout);
            assert.deepEqual(summary.machines.map((x: { hostname: string }) => x.hostname), ["node02"], action);
            assert.deepEqual(summary.targets, ["urn:pulumi:cli::maas-automation::pulumi-nodejs:dynamic/maas:Machine::aa-bb-cc-dd-ef-00"], action);
            if (action === "set_power") assert.equal(summary.machines[0].outcome, "ok");
            if (action === "find_machine") assert.equal(summary.machines[0].outcome, "unchanged");
        }
        assert.equal(await sim.requestCount("PUT", "machines/{id}/"), 1, "set_power updated the power settings once");
        assert.ok((await transitionsOf("node02")).includes("Commissioning"), "-a commission --yes re-commissioned the Ready machine");

        const boot = await cli([...base, "-a", "set_boot_order"]);
        assert.equal(boot.code, 0, show(boot));
        assert.match(boot.stdout, /MAAS 3\.x has no boot-order API/);

        await sim.resetStats();
        const storage = await cli([...rebase, "-a", "configure_storage"]);
        assert.equal(storage.code, 0, show(storage));
        assert.ok((await sim.requestCount("POST")) > 0, "the layout was applied");
        assert.ok((await sim.requestCount("POST", "machines/{id}/?op=deploy")) === 0, "configure_storage does not deploy");

        const net = await cli([...rebase, "-a", "configure_network", "--yes"]);
        assert.equal(net.code, 0, show(net));
        const m2 = await machine("node02");
        assert.ok(m2?.interface_set.some((i) => i.type === "bond" && i.name === "bond0"), "bond0 exists");
        assert.equal(m2?.status_name, "Ready");

        const deploy = await cli([...rebase, "-a", "deploy", "--yes"]);
        assert.equal(deploy.code, 0, show(deploy));
        assert.equal((await machine("node02"))?.status_name, "Deployed");
    });

    test("-a commission on a deployed host is refused without --yes (exit 3); with --yes it releases and re-commissions", async () => {
        const file = write("fleet.json", fleet());
        await sim.resetStats();
        const refused = await cli(["-i", file, "--stack", "cli", "--hosts", "node01", "-a", "commission", ...FAST]);
        assert.equal(refused.code, 3, show(refused));
        assert.match(refused.stderr, /--yes/);
        assert.match(refused.stderr, /re-commission node01 \(Deployed\)/);
        assert.equal(await sim.mutatingRequestCount(), 0);

        const r = await cli(["-i", file, "--stack", "cli", "--hosts", "node01", "-a", "commission", "--yes", ...FAST]);
        assert.equal(r.code, 0, show(r));
        const tos = await transitionsOf("node01");
        assert.ok(tos.includes("Disk erasing") && tos.includes("Commissioning"), tos.join(" -> "));
        assert.equal((await machine("node01"))?.status_name, "Ready");
        assert.equal((await machine("node02"))?.status_name, "Deployed", "the other host is untouched");
        assert.deepEqual(await transitionsOf("node02"), []);
    });

    test("a destructive plan (a redeploy) is refused without --yes when stdin is not a terminal", async () => {
        const file = write("fleet.json", fleet({ distro_series: "noble" }));
        await sim.resetStats();
        const r = await cli(["-i", file, "--stack", "cli", "--hosts", "node02", ...FAST]);
        assert.equal(r.code, 3, show(r));
        // The destructive-change policy names the machine, what MAAS says it is, and why.
        assert.match(r.stderr, /node02 \(\w+\) is Deployed: changing distroSeries means release with disk erase and deploy again/);
        assert.equal(await sim.mutatingRequestCount(), 0, "nothing was changed");
        assert.equal((await machine("node02"))?.status_name, "Deployed");
    });

    test("-a release needs --yes, releases, and warns that the file still asks for a deployment", async () => {
        const file = write("fleet.json", fleet());
        const refused = await cli(["-i", file, "--stack", "cli", "--hosts", "node02", "-a", "release", ...FAST]);
        assert.equal(refused.code, 3, show(refused));
        assert.equal((await machine("node02"))?.status_name, "Deployed");
        const r = await cli(["-i", file, "--stack", "cli", "--hosts", "node02", "-a", "release", "--yes", ...FAST]);
        assert.equal(r.code, 0, show(r));
        assert.match(r.stderr, /still asks for a deployment of node02/);
        assert.match(r.stdout, /node02\s+released/);
        assert.equal((await machine("node02"))?.status_name, "Ready");
    });

    test("a failed machine exits 1 with its MAAS status in the summary; -a delete removes what the stack enlisted", async () => {
        const file = write("fleet.json", fleet());
        await sim.setFaults({ machines: { node01: { failCommissioning: true } } });
        const r = await cli(["-i", file, "--stack", "cli", "--hosts", "node01", "-a", "commission", "--yes", "--json", ...FAST]);
        await sim.setFaults({});
        assert.equal(r.code, 1, show(r));
        const summary = JSON.parse(r.stdout);
        assert.equal(summary.exitCode, 1);
        assert.equal(summary.machines[0].outcome, "failed");
        assert.match(summary.machines[0].error, /Failed commissioning/);

        const del = await cli(["-i", file, "--stack", "cli", "-a", "delete", "--yes", ...FAST]);
        assert.equal(del.code, 0, show(del));
        assert.match(del.stdout, /node01\s+deleted/);
        assert.match(del.stdout, /node02\s+deleted/);
        assert.equal(await machine("node01"), undefined);
        assert.equal(await machine("node02"), undefined);
    });
});
