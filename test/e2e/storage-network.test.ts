// Issue 6 end to end: storage layouts and network configuration through the real engine.
import { after, before, describe, test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { MaasClient } from "@maas-automation/provider/dist/maas";
import { E2E, startE2E } from "./harness";

const MB = 1e6;
const GB = 1e9;
const MiB4 = 4 * 1024 * 1024;
const down4 = (n: number) => Math.floor(n / MiB4) * MiB4;
const ipmi = (addr: string) => ({ power_address: addr, power_user: "root", power_pass: "bmc-pass" });

const fullFlow = ["create_machine", "set_power", "configure_storage", "commission", "configure_network", "deploy"];
const seedNetwork = {
    bonds: [{ name: "bond0", interfaces: ["eth0", "eth1"], mode: "802.3ad", mtu: 9000, lacp_rate: "fast", xmit_hash_policy: "layer3+4" }],
    interfaces: [
        { name: "bond0", subnet: "10.0.0.0/24", ip_mode: "static", ip_address: "10.0.0.10", mtu: 9000 },
        { name: "eth2", subnet: "192.168.1.0/24", ip_mode: "dhcp" },
    ],
};
const seedStorage = (overrides: Record<string, number> = {}) => ({
    device: "/dev/sda",
    params: { efi_mb: 512, boot_size_g: 2, root_size_g: 50, home_size_g: 10, var_size_g: 10, var_log_size_g: 10, tmp_size_g: 10, ...overrides },
});
const useCase1 = (storage = seedStorage()) => ({
    actions: fullFlow,
    storage,
    machines: [
        { hostname: "node01", pxe_mac: "aa:bb:cc:dd:ee:ff", power_type: "ipmi", power_parameters: ipmi("10.0.0.100"), distro_series: "jammy", network: seedNetwork },
        {
            hostname: "node02", pxe_mac: "aa:bb:cc:dd:ef:00", power_type: "ipmi", power_parameters: ipmi("10.0.0.101"), distro_series: "jammy",
            network: { ...seedNetwork, interfaces: [{ ...seedNetwork.interfaces[0], ip_address: "10.0.0.11" }, seedNetwork.interfaces[1]] },
        },
    ],
});

async function withClient<T>(e2e: E2E, fn: (c: MaasClient) => Promise<T>): Promise<T> {
    const c = new MaasClient({ apiUrl: e2e.sim.url, apiKey: e2e.sim.apiKey });
    try {
        return await fn(c);
    } finally {
        await c.close();
    }
}

async function systemIdOf(e2e: E2E, hostname: string): Promise<string> {
    return withClient(e2e, async (c) => (await c.listMachines({ hostname: [hostname] }))[0].system_id);
}

describe("storage and network: the original SDK's use case 1 in full", { timeout: 900_000 }, () => {
    let e2e: E2E;
    before(async () => {
        e2e = await startE2E();
    });
    after(async () => {
        await e2e.close();
    });

    test("layout and bond are applied before deploying, read back exactly, and a re-run changes nothing", async () => {
        const s = await e2e.open("uc1", e2e.writeInput("uc1.json", useCase1()));
        const up = await s.up();
        assert.equal(up.summary.result, "succeeded", up.log);
        const sid = await systemIdOf(e2e, "node01");
        await withClient(e2e, async (c) => {
            const m = await c.getMachine(sid);
            assert.equal(m.status_name, "Deployed");
            const sda = (await c.listBlockDevices(sid)).find((d) => d.name === "sda")!;
            const parts = sda.partitions.map((p) => ({ size: p.size, fs: p.filesystem?.fstype ?? null, mount: p.filesystem?.mount_point ?? null }));
            assert.deepEqual(parts.slice(0, 2), [
                { size: down4(512 * MB), fs: "fat32", mount: "/boot/efi" },
                { size: down4(2 * GB), fs: "xfs", mount: "/boot" },
            ]);
            assert.equal(parts[2].fs, "lvm-pv");
            const [vg] = await c.listVolumeGroups(sid);
            assert.equal(vg.name, "vg-main");
            const lvs = Object.fromEntries((await c.listBlockDevices(sid)).filter((d) => d.type === "virtual").map((d) => [d.name, { size: d.size, mount: d.filesystem?.mount_point, fs: d.filesystem?.fstype }]));
            assert.deepEqual(lvs["vg-main-root"], { size: down4(50 * GB), mount: "/", fs: "xfs" });
            for (const lv of ["home", "var", "var-log", "tmp"]) assert.equal(lvs[`vg-main-${lv}`].size, down4(10 * GB), lv);
            const ifaces = await c.listInterfaces(sid);
            const bond = ifaces.find((i) => i.name === "bond0")!;
            assert.equal(bond.type, "bond");
            assert.deepEqual([...bond.parents].sort(), ["eth0", "eth1"]);
            const params = bond.params as Record<string, unknown>;
            assert.equal(params.bond_mode, "802.3ad");
            assert.equal(params.bond_lacp_rate, "fast");
            assert.equal(params.bond_xmit_hash_policy, "layer3+4");
            assert.equal(bond.effective_mtu, 9000);
            assert.equal(bond.links[0]?.mode, "static");
            assert.equal(bond.links[0]?.ip_address, "10.0.0.10");
            const eth2 = ifaces.find((i) => i.name === "eth2")!;
            assert.equal(eth2.links[0]?.mode, "dhcp");
            assert.equal(eth2.links[0]?.subnet?.cidr, "192.168.1.0/24");
        });
        // The layout and the network were done before the deployment started.
        const stats = await e2e.sim.stats();
        const t = stats.machines[sid].transitions.map((x) => x.to);
        assert.deepEqual(t.slice(-3), ["Allocated", "Deploying", "Deployed"], t.join(" -> "));

        const preview = await s.preview();
        assert.deepEqual(Object.keys(preview.changeSummary), ["same"], preview.log);
        await e2e.sim.resetStats();
        await s.up();
        assert.equal(await e2e.sim.mutatingRequestCount(), 0, "a second up makes no mutating request");
    });

    test("an impossible layout fails in preview with the numbers, and no storage request is sent", async () => {
        const s = await e2e.open("uc1", e2e.writeInput("uc1.json", useCase1(seedStorage({ root_size_g: 2000 }))));
        await e2e.sim.resetStats();
        await assert.rejects(s.preview(), (e: Error) => /needs 2040\.0 GB/.test(e.message) && /has 957\.5 GB/.test(e.message));
        assert.equal(await e2e.sim.mutatingRequestCount(), 0);
    });

    test("changing one LV on a deployed machine: refused without allowRedeploy; with it only that machine is released, re-laid-out and redeployed", async () => {
        const changed = useCase1();
        (changed.machines[0] as Record<string, unknown>).storage = seedStorage({ home_size_g: 20 });
        const file = e2e.writeInput("uc1.json", changed);
        const refused = await e2e.open("uc1", file);
        await e2e.sim.resetStats();
        await assert.rejects(refused.up(), /allowRedeploy/);
        assert.equal(await e2e.sim.mutatingRequestCount(), 0, "refused before any change");

        const allowed = await e2e.open("uc1", file, { "maas:allowRedeploy": "true" });
        const up = await allowed.up();
        assert.equal(up.summary.result, "succeeded", up.log);
        const node01 = await systemIdOf(e2e, "node01");
        const node02 = await systemIdOf(e2e, "node02");
        const stats = await e2e.sim.stats();
        const t = stats.machines[node01].transitions.map((x) => x.to);
        assert.deepEqual(t, ["Disk erasing", "Ready", "Allocated", "Deploying", "Deployed"], t.join(" -> "));
        const node02Mutations = stats.requests.filter((r) => r.systemId === node02 && r.method !== "GET");
        assert.deepEqual(node02Mutations, [], "the other machine got no mutating request");
        await withClient(e2e, async (c) => {
            const home = (await c.listBlockDevices(node01)).find((d) => d.name === "vg-main-home")!;
            assert.equal(home.size, down4(20 * GB));
        });
        const again = await allowed.preview();
        assert.deepEqual(Object.keys(again.changeSummary), ["same"], again.log);
        await allowed.destroy();
    });
});

describe("network: every bond mode, VLAN, link-up, default gateway", { timeout: 900_000 }, () => {
    const modes = ["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"];
    let e2e: E2E;
    let inventoryFile: string;
    before(async () => {
        inventoryFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "maas-inv-")), "inventory.json");
        const servers = modes.map((mode, i) => ({
            hostname: `bond-${mode.replace(/[^a-z0-9]/g, "")}`,
            enlisted: false,
            nics: [0, 1, 2].map((n) => ({ name: `eth${n}`, mac: `52:54:00:0${i}:00:0${n}`, fabric: n === 2 ? "fabric-1" : "fabric-0" })),
            disks: [{ name: "sda", size: 480e9, serial: `S${i}` }],
        }));
        fs.writeFileSync(inventoryFile, JSON.stringify({
            servers,
            subnets: [
                { cidr: "10.0.0.0/24", gateway: "10.0.0.1", fabric: "fabric-0", vid: 0 },
                { cidr: "192.168.1.0/24", gateway: "192.168.1.1", fabric: "fabric-1", vid: 0 },
                { cidr: "10.0.100.0/24", gateway: "10.0.100.1", fabric: "fabric-1", vid: 100 },
            ],
        }));
        e2e = await startE2E({ inventory: inventoryFile });
    });
    after(async () => {
        await e2e.close();
    });

    test("each bond mode with its parameters read back; a VLAN interface; link-up; default gateway", async () => {
        const machines = modes.map((mode, i) => ({
            hostname: `bond-${mode.replace(/[^a-z0-9]/g, "")}`,
            pxe_mac: `52:54:00:0${i}:00:00`,
            network: {
                bonds: [{ name: "bond0", interfaces: ["eth0", "eth1"], mode, miimon: 200, updelay: 100, downdelay: 50, ...(mode === "802.3ad" ? { lacp_rate: "slow" } : {}), ...(["balance-xor", "802.3ad", "balance-tlb"].includes(mode) ? { xmit_hash_policy: "layer2+3" } : {}) }],
                ...(i === 0 ? { vlans: [{ parent: "eth2", vid: 100 }] } : {}),
                interfaces: [
                    { name: "bond0", subnet: "10.0.0.0/24", ip_mode: "static", ip_address: `10.0.0.${20 + i}`, default_gateway: i === 0 },
                    i === 0 ? { name: "eth2.100", subnet: "10.0.100.0/24", ip_mode: "auto" } : { name: "eth2", ip_mode: "link_up" },
                ],
            },
        }));
        const s = await e2e.open("bonds", e2e.writeInput("bonds.json", { actions: ["create_machine", "commission", "configure_network"], machines }));
        const up = await s.up();
        assert.equal(up.summary.result, "succeeded", up.log);
        await withClient(e2e, async (c) => {
            for (const [i, mode] of modes.entries()) {
                const hostname = `bond-${mode.replace(/[^a-z0-9]/g, "")}`;
                const [m] = await c.listMachines({ hostname: [hostname] });
                const ifaces = await c.listInterfaces(m.system_id);
                const bond = ifaces.find((x) => x.name === "bond0")!;
                const p = bond.params as Record<string, unknown>;
                assert.equal(p.bond_mode, mode, hostname);
                assert.equal(p.bond_miimon, 200, hostname);
                assert.equal(p.bond_updelay, 100, hostname);
                assert.equal(p.bond_downdelay, 50, hostname);
                if (mode === "802.3ad") assert.equal(p.bond_lacp_rate, "slow");
                if (["balance-xor", "802.3ad", "balance-tlb"].includes(mode)) assert.equal(p.bond_xmit_hash_policy, "layer2+3", hostname);
                assert.equal(bond.links[0]?.ip_address, `10.0.0.${20 + i}`);
                if (i === 0) {
                    const vlan = ifaces.find((x) => x.name === "eth2.100")!;
                    assert.equal(vlan.type, "vlan");
                    assert.equal(vlan.vlan?.vid, 100);
                    assert.equal(vlan.links[0]?.mode, "auto");
                    const gw = (m as unknown as { default_gateways?: { ipv4?: { gateway_ip?: string } } }).default_gateways;
                    const again = await c.getMachine(m.system_id) as unknown as { default_gateways?: { ipv4?: { gateway_ip?: string } } };
                    assert.equal((again.default_gateways ?? gw)?.ipv4?.gateway_ip, "10.0.0.1");
                } else {
                    const eth2 = ifaces.find((x) => x.name === "eth2")!;
                    assert.equal(eth2.links[0]?.mode, "link_up", hostname);
                }
            }
        });
        const preview = await s.preview();
        assert.deepEqual(Object.keys(preview.changeSummary), ["same"], preview.log);
    });
});
