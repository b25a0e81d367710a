// Issue 5 end to end: the original SDK's use cases through the real engine against the simulator.
import { after, before, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import { MaasClient } from "@maas-automation/provider/dist/maas";
import { E2E, progressStates, startE2E } from "./harness";

const ipmi = (addr: string) => ({ power_address: addr, power_user: "root", power_pass: "s3cret-bmc" });

const useCase1 = {
    actions: ["create_machine", "set_power", "commission", "deploy"],
    machines: [
        { hostname: "node01", pxe_mac: "aa:bb:cc:dd:ee:ff", power_type: "ipmi", power_parameters: ipmi("10.0.0.100"), distro_series: "jammy" },
        { hostname: "node02", pxe_mac: "aa:bb:cc:dd:ef:00", power_type: "ipmi", power_parameters: ipmi("10.0.0.101"), distro_series: "focal" },
    ],
};

function maas(e2e: E2E): MaasClient {
    return new MaasClient({ apiUrl: e2e.sim.url, apiKey: e2e.sim.apiKey });
}

async function withMaas<T>(e2e: E2E, fn: (c: MaasClient) => Promise<T>): Promise<T> {
    const client = maas(e2e);
    try {
        return await fn(client);
    } finally {
        await client.close();
    }
}

async function statusOf(e2e: E2E, hostname: string): Promise<string | undefined> {
    const client = maas(e2e);
    try {
        return (await client.listMachines({ hostname: [hostname] }))[0]?.status_name;
    } finally {
        await client.close();
    }
}

describe("machines and deployments", { timeout: 600_000 }, () => {
    let e2e: E2E;
    before(async () => {
        e2e = await startE2E();
    });
    after(async () => {
        await e2e.close();
    });

    test("use case 1: enlist, power, commission and deploy two machines; no changes on re-preview; destroy gives them back", async () => {
        const file = e2e.writeInput("uc1.json", useCase1);
        const s = await e2e.open("uc1", file);
        const preview = await s.preview();
        assert.equal(preview.changeSummary.create, 6, preview.log); // stack + 2 machines + 2 deployments + the fleet list
        assert.equal(await statusOf(e2e, "node01"), undefined, "preview must not enlist anything");

        const up = await s.up();
        assert.equal(up.summary.result, "succeeded", up.log);
        const out = await s.outputs();
        assert.equal(out.node01.status, "Deployed");
        assert.equal(out.node02.status, "Deployed");
        assert.equal(await statusOf(e2e, "node01"), "Deployed");
        assert.equal(await statusOf(e2e, "node02"), "Deployed");
        assert.ok(progressStates(up.log, "node01").includes("Deployed"), "progress lines report the deployment");
        const power = (await e2e.sim.api("GET", "machines/", { op: "power_parameters", id: [out.node01.systemId] })).json() as Record<string, Record<string, string>>;
        assert.equal(power[out.node01.systemId].power_pass, "s3cret-bmc", "the BMC credentials reached MAAS");
        assert.equal(power[out.node01.systemId].power_address, "10.0.0.100");

        await e2e.sim.resetStats();
        const again = await s.preview();
        assert.deepEqual(Object.keys(again.changeSummary), ["same"], again.log);
        const upAgain = await s.up();
        assert.equal(upAgain.summary.resourceChanges?.update ?? 0, 0);
        assert.equal(await e2e.sim.mutatingRequestCount(), 0, "a second up changes nothing in MAAS");

        const destroy = await s.destroy();
        assert.equal(destroy.summary.result, "succeeded", destroy.log);
        assert.equal(await statusOf(e2e, "node01"), undefined, "machines the stack enlisted are deleted");
        const stats = await e2e.sim.stats();
        const node01 = Object.values(stats.machines).find((m: { hostname?: string }) => m.hostname === "node01") as { transitions: { to: string }[] };
        const tos = node01.transitions.map((t) => t.to);
        assert.ok(tos.includes("Disk erasing"), `release erased the disk: ${tos.join(" -> ")}`);
    });

    test("use case 4: commission an existing machine (adopted); destroy only forgets it", async () => {
        const file = e2e.writeInput("uc4.json", { actions: ["commission"], machines: [{ hostname: "existing-node" }] });
        const s = await e2e.open("uc4", file);
        const existing = await withMaas(e2e, async (c) => (await c.listMachines({ hostname: ["existing-node"] }))[0]);
        const preview = await s.preview({ diff: true });
        assert.ok(preview.stdout.includes(existing.system_id), `preview names the adopted system_id:\n${preview.stdout}`);
        assert.match(preview.stdout, /adoptedStatus\s*:\s*"Ready"/);
        await e2e.sim.resetStats();
        const up = await s.up();
        assert.equal(up.summary.result, "succeeded", up.log);
        const stats = await e2e.sim.stats();
        const routes = stats.requests.filter((r: { method: string }) => r.method === "POST").map((r: { route: string }) => r.route);
        assert.ok(routes.some((r: string) => r.endsWith("?op=commission")), `commissioned: ${routes.join(", ")}`);
        assert.equal(await statusOf(e2e, "existing-node"), "Ready");
        await s.destroy();
        assert.equal(await statusOf(e2e, "existing-node"), "Ready", "an adopted machine stays in MAAS");
    });

    test("invalid files fail before any MAAS request, naming the JSON path", async () => {
        const machine = useCase1.machines[0];
        const cases: [unknown, RegExp][] = [
            [{ actions: ["create_machine", "deploy"], machines: [{ hostname: "node01", pxe_mac: "not-a-mac" }] }, /machines\[0\]\.pxe_mac/],
            [{ actions: ["create_machine", "configure_network"], machines: [{ ...machine, network: { bonds: [{ name: "bond0", interfaces: ["eth0", "eth1"], mode: "lacp" }] } }] }, /machines\[0\]\.network\.bonds\[0\]\.mode/],
            [{ actions: ["create_machine", "configure_network"], machines: [{ ...machine, network: { interfaces: [{ name: "eth0", subnet: "10.0.0.0/24", ip_mode: "static", ip_address: "10.9.9.9" }] } }] }, /machines\[0\]\.network\.interfaces\[0\]\.ip_address/],
            [{ actions: ["create_machine"], machines: [{ ...machine, distro_seires: "jammy" }] }, /machines\[0\]\.distro_seires/],
        ];
        for (const [i, [bad, path]] of cases.entries()) {
            await e2e.sim.resetStats();
            const s = await e2e.open(`bad${i}`, e2e.writeInput(`bad${i}.json`, bad));
            await assert.rejects(s.preview(), path);
            await assert.rejects(s.up(), path);
            const stats = await e2e.sim.stats();
            const total = stats.requests.reduce((n: number, r: { count: number }) => n + r.count, 0);
            assert.equal(total, 0, `no request reached MAAS (case ${i})`);
        }
    });
});

describe("fleet behaviour", { timeout: 600_000 }, () => {
    let e2e: E2E;
    before(async () => {
        e2e = await startE2E();
    });
    after(async () => {
        await e2e.close();
    });

    test("a failing commission fails only that machine; the next up after the fault clears converges", async () => {
        await e2e.sim.setFaults({ machines: { node02: { failCommissioning: true } } });
        const file = e2e.writeInput("fleet.json", useCase1);
        const s = await e2e.open("fleet", file);
        await assert.rejects(s.up(), (e: Error) => /node02/.test(e.message) && /Failed commissioning/.test(e.message));
        assert.equal(await statusOf(e2e, "node01"), "Deployed", "the healthy machine reached Deployed in the same run");
        assert.equal(await statusOf(e2e, "node02"), "Failed commissioning");

        await e2e.sim.setFaults({});
        const up = await s.up();
        assert.equal(up.summary.result, "succeeded", up.log);
        assert.equal(await statusOf(e2e, "node02"), "Deployed");
        const inventory = await e2e.sim.inventory();
        const enlisted = inventory.servers.filter((x) => x.systemId !== null && x.hostname.startsWith("node0"));
        assert.equal(enlisted.length, 2, "no machine was enlisted twice");
    });

    test("renaming a host keyed by its MAC is an in-place update", async () => {
        const renamed = { ...useCase1, machines: [{ ...useCase1.machines[0], hostname: "node01-renamed" }, useCase1.machines[1]] };
        const s = await e2e.open("fleet", e2e.writeInput("fleet.json", renamed));
        const preview = await s.preview();
        assert.equal(preview.changeSummary.replace ?? 0, 0, preview.log);
        assert.ok((preview.changeSummary.update ?? 0) >= 1, preview.log);
        const up = await s.up();
        assert.equal(up.summary.result, "succeeded", up.log);
        assert.equal(await statusOf(e2e, "node01-renamed"), "Deployed");
        assert.equal(await statusOf(e2e, "node01"), undefined);
    });

    test("a machine released behind the stack's back shows in refresh, and the next up redeploys it", async () => {
        const s = await e2e.open("fleet", e2e.writeInput("fleet.json", useCase1));
        await s.up();
        const client = maas(e2e);
        try {
            const [m] = await client.listMachines({ hostname: ["node02"] });
            await client.release(m.system_id, { erase: false });
        } finally {
            await client.close();
        }
        const refresh = await s.refresh();
        assert.ok((refresh.summary.resourceChanges?.update ?? 0) >= 1, refresh.log);
        const state = await s.stack.exportStack();
        const deployment = state.deployment.resources.find((r: { type: string; outputs?: { hostname?: string } }) =>
            r.type === "pulumi-nodejs:dynamic/maas:Deployment" && r.outputs?.hostname === "node02");
        assert.equal(deployment.outputs.deployed, false, "refresh recorded that node02 is no longer deployed");
        const up = await s.up();
        assert.equal(up.summary.result, "succeeded", up.log);
        assert.equal(await statusOf(e2e, "node02"), "Deployed");
    });

    test("use case 2: a new reprovision token releases with erase and redeploys only that machine", async () => {
        const reprovisioned = { ...useCase1, machines: [useCase1.machines[0], { ...useCase1.machines[1], reprovision: "2026-11-25" }] };
        const file = e2e.writeInput("fleet.json", reprovisioned);
        await e2e.sim.resetStats();
        // Redeploying a Deployed machine erases it: the destructive-change policy refuses it unless allowed.
        const refused = await (await e2e.open("fleet", file)).preview().then(() => "", (e: Error) => e.message);
        assert.match(refused, /node02 \(\w+\) is Deployed: the reprovision token changed means release with disk erase and deploy again; refused by the destructive-change policy/);
        assert.equal(await e2e.sim.mutatingRequestCount(), 0, "a refused preview sends nothing that changes MAAS");
        const s = await e2e.open("fleet", file, { "maas:allowRedeploy": "true" });
        const up = await s.up();
        assert.equal(up.summary.result, "succeeded", up.log);
        assert.equal(up.summary.resourceChanges?.replace, 1, up.log);
        const stats = await e2e.sim.stats();
        const byHost = (h: string) => Object.values(stats.machines).find((m) => m.hostname === h);
        const node02 = byHost("node02")!.transitions.map((t) => t.to);
        assert.deepEqual(node02.slice(0, 1), ["Disk erasing"], node02.join(" -> "));
        assert.ok(node02.includes("Deployed"));
        assert.equal(byHost("node01")?.transitions.length ?? 0, 0, "the other machine was not touched");
    });

    test("use case 5: machines named by hostname only are adopted; destroy releases but keeps them", async () => {
        const s = await e2e.open("uc5", e2e.writeInput("uc5.json", {
            actions: ["commission", "deploy"],
            machines: [{ hostname: "existing-node", distro_series: "jammy" }],
        }));
        const up = await s.up();
        assert.equal(up.summary.result, "succeeded", up.log);
        assert.equal(await statusOf(e2e, "existing-node"), "Deployed");
        await s.destroy();
        assert.equal(await statusOf(e2e, "existing-node"), "Ready", "released, and kept in MAAS");
    });

    test("use case 3: destroy releases with erase and deletes what the stack enlisted", async () => {
        const s = await e2e.open("fleet", e2e.writeInput("fleet.json", useCase1));
        const destroy = await s.destroy();
        assert.equal(destroy.summary.result, "succeeded", destroy.log);
        assert.equal(await statusOf(e2e, "node02"), undefined);
        assert.equal(await statusOf(e2e, "node01-renamed"), undefined);
    });
});
