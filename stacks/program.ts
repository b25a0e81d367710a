// The stack program: reads the operator's file (maas:inputFile), validates it before anything reaches
// MAAS, and registers, per machine, machine -> (storage, network) -> deployment. `actions` decides
// which resources exist, never their order.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { MaasBond, MaasDeployment, MaasFleet, MaasFleetMemberArgs, MaasInterface, MaasMachine, MaasStorageLayout, sealPowerParameters } from "@maas-automation/provider";
import { loadInputFile } from "./input";
import { DiskRef, MachinePlan, NetworkSpec, StorageSpec, planFromInput } from "./plan";
import { projectRoot } from "./automation";

export interface MachineSummary {
    hostname: string;
    systemId: pulumi.Output<string>;
    status: pulumi.Output<string>;
    ipAddresses: pulumi.Output<string[]>;
}

/** MAAS credentials the runner resolved (else the stack config and the environment are used). */
export interface ProgramCredentials {
    apiUrl?: string;
    apiKey?: string;
}

export function maasProgram(credentials: ProgramCredentials = {}): () => Promise<Record<string, unknown>> {
    return async () => {
        const config = new pulumi.Config("maas");
        const inputFile = path.resolve(projectRoot, config.require("inputFile"));
        const loaded = loadInputFile(inputFile);
        if (!loaded.ok) {
            // Logged as errors (the engine then fails the update) rather than thrown: a rejected inline
            // program also surfaces as an unhandled rejection in the process that hosts it.
            const lines = loaded.errors.map((e) => `  ${e.path}: ${e.message}`).join("\n");
            pulumi.log.error(`${inputFile} is not valid; nothing was sent to MAAS:\n${lines}`);
            return {};
        }
        for (const w of loaded.warnings) pulumi.log.warn(w);
        const plan = planFromInput(loaded.value);
        for (const w of plan.warnings) pulumi.log.warn(w);
        // A re-commission token per machine (`maas:commissionToken-<key>`, what the CLI's
        // `-a commission` writes), else one for every machine (`maas:commissionToken`).
        const fleetToken = config.get("commissionToken");
        // The same key the providers use: stack config, then what the runner resolved, the environment, the file.
        const known = resolvedCredentials(credentials, loaded.value);
        const apiKey = configuredKey(config).apply((k) => k ?? known.apiKey);
        const machines: Record<string, MachineSummary> = {};
        const members: Record<string, MaasFleetMemberArgs> = {};
        for (const m of plan.machines) {
            for (const w of m.warnings) pulumi.log.warn(w);
            const commissionToken = config.get(`commissionToken-${m.key}`) ?? fleetToken;
            machines[m.hostname] = registerMachine(m, { apiKey, ...(commissionToken ? { commissionToken } : {}) });
            members[m.names.machine] = { hostname: m.hostname, enlisted: !m.machine.adopt };
        }
        // Lets a preview see the machines that leave the file, and apply the destructive-change policy to them.
        new MaasFleet("fleet", { machines: members });
        const outputs: Record<string, unknown> = { machines };
        if (plan.listMachines) outputs.maasMachines = listAllMachines(known);
        return outputs;
    };
}

interface RunSettings {
    /** The MAAS API key, when the program knows it: BMC credentials are then sealed with it. */
    apiKey: pulumi.Output<string | undefined>;
    commissionToken?: string;
}

function registerMachine(m: MachinePlan, run: RunSettings): MachineSummary {
    const spec = m.machine;
    const c = spec.commissioning;
    const machine = new MaasMachine(m.names.machine, {
        hostname: m.hostname,
        ...(spec.pxeMac ? { pxeMac: spec.pxeMac } : {}),
        architecture: spec.architecture,
        ...(spec.power ? { powerType: spec.power.type, powerParameters: pulumi.secret(run.apiKey.apply((k) => sealed(spec.power!.parameters.reveal(), k))) } : {}),
        adopt: spec.adopt,
        commissionOnAdopt: c.run,
        commissioning: {
            scripts: c.scripts,
            testingScripts: c.testingScripts,
            enableSsh: c.enableSsh,
            skipNetworking: c.skipNetworking,
            skipStorage: c.skipStorage,
        },
        commissionTimeoutS: c.timeoutS,
        waitCommissioning: c.wait,
        bios: spec.bios ?? {},
        commissionToken: run.commissionToken ?? "",
    });
    // Storage and network are applied on the Ready machine after (re)commissioning, before deploying.
    const revisions: Record<string, pulumi.Output<string>> = {};
    const configuration: pulumi.Resource[] = [];
    if (m.storage) {
        const layout = registerStorage(m, m.storage, machine);
        revisions.storage = layout.revision;
        configuration.push(layout);
    }
    if (m.network) {
        for (const [key, res] of registerNetwork(m, m.network, machine)) {
            revisions[key] = res.revision;
            configuration.push(res);
        }
    }
    let status: pulumi.Output<string> = pulumi.output(c.wait ? "Ready" : "Commissioning");
    let ipAddresses: pulumi.Output<string[]> = pulumi.output([]);
    if (m.deployment) {
        const d = m.deployment;
        const deployment = new MaasDeployment(m.names.deployment, {
            systemId: machine.systemId,
            hostname: m.hostname,
            ...(d.distroSeries ? { distroSeries: d.distroSeries } : {}),
            ...(d.hweKernel ? { hweKernel: d.hweKernel } : {}),
            ...(d.userData ? { userData: pulumi.secret(d.userData) } : {}),
            deployTimeoutS: d.timeoutS,
            waitDeployment: d.wait,
            release: { erase: d.release.erase, secureErase: d.release.secureErase, quickErase: d.release.quickErase, timeoutS: d.release.timeoutS, wait: d.release.wait },
            revisions,
            reprovision: d.reprovision ?? "",
        }, { dependsOn: [machine, ...configuration] });
        status = deployment.deployed.apply((ok) => (ok ? "Deployed" : "Not deployed"));
        ipAddresses = deployment.ipAddresses;
    }
    return { hostname: m.hostname, systemId: machine.systemId, status, ipAddresses };
}

function diskArgs(disk: DiskRef): { name?: string; serial?: string; bootDisk?: boolean } {
    if (disk.by === "name") return { name: disk.name };
    if (disk.by === "serial") return { serial: disk.serial };
    return { bootDisk: true };
}

function registerStorage(m: MachinePlan, spec: StorageSpec, machine: MaasMachine): MaasStorageLayout {
    return new MaasStorageLayout(m.names.storage, {
        systemId: machine.systemId,
        hostname: m.hostname,
        commissionRevision: machine.commissionRevision,
        disk: diskArgs(spec.disk),
        setBootDisk: m.machine.bootDisk !== undefined,
        partitions: spec.partitions.map((p) => ({
            size: p.sizeBytes,
            ...(p.fs ? { fs: p.fs } : {}),
            ...(p.mount ? { mount: p.mount } : {}),
            bootable: p.bootable,
        })),
        volumeGroups: spec.volumeGroups.map((vg) => ({
            name: vg.name,
            partitions: vg.partitions,
            logicalVolumes: vg.logicalVolumes.map((lv) => ({ name: lv.name, size: lv.sizeBytes, fs: lv.fs, ...(lv.mount ? { mount: lv.mount } : {}) })),
        })),
    }, { dependsOn: [machine] });
}

/** Bonds first, then one MaasInterface per configured interface (VLANs included). */
function registerNetwork(m: MachinePlan, spec: NetworkSpec, machine: MaasMachine): [string, MaasBond | MaasInterface][] {
    const common = { systemId: machine.systemId, hostname: m.hostname, commissionRevision: machine.commissionRevision };
    const out: [string, MaasBond | MaasInterface][] = [];
    const bonds = new Map<string, MaasBond>();
    for (const b of spec.bonds) {
        const bond = new MaasBond(`${m.names.network}-${b.name}`, {
            ...common,
            name: b.name,
            interfaces: b.interfaces,
            mode: b.mode,
            ...(b.mtu !== undefined ? { mtu: b.mtu } : {}),
            miimon: b.miimon,
            updelay: b.updelay,
            downdelay: b.downdelay,
            ...(b.lacpRate ? { lacpRate: b.lacpRate } : {}),
            ...(b.xmitHashPolicy ? { xmitHashPolicy: b.xmitHashPolicy } : {}),
        }, { dependsOn: [machine] });
        bonds.set(b.name, bond);
        out.push([`bond:${b.name}`, bond]);
    }
    const vlans = new Map(spec.vlans.map((v) => [v.name, v]));
    const names = [...new Set([...spec.interfaces.map((i) => i.name), ...vlans.keys()])];
    for (const name of names) {
        const link = spec.interfaces.find((i) => i.name === name);
        const vlan = vlans.get(name);
        const parentBond = bonds.get(vlan ? vlan.parent : name);
        const iface = new MaasInterface(`${m.names.network}-${name}`, {
            ...common,
            name,
            ...(vlan ? { vlan: { parent: vlan.parent, vid: vlan.vid } } : {}),
            ...((link?.mtu ?? vlan?.mtu) !== undefined ? { mtu: (link?.mtu ?? vlan?.mtu)! } : {}),
            ...(link?.subnet ? { subnet: link.subnet } : {}),
            ipMode: link ? link.mode : "link_up",
            ...(link?.ipAddress ? { ipAddress: link.ipAddress } : {}),
            defaultGateway: link?.defaultGateway ?? false,
            ...(parentBond ? { parentRevision: parentBond.revision } : {}),
        }, { dependsOn: parentBond ? [machine, parentBond] : [machine] });
        out.push([`if:${name}`, iface]);
    }
    return out;
}

/** After the stack config: what the runner resolved, then the environment, then the input file. */
function resolvedCredentials(credentials: ProgramCredentials, file: { maas_api_url?: string; maas_api_key?: { reveal(): string } }): ProgramCredentials {
    // An empty variable counts as unset, as for the providers.
    const apiUrl = credentials.apiUrl || process.env.MAAS_API_URL || file.maas_api_url;
    const apiKey = credentials.apiKey || process.env.MAAS_API_KEY || file.maas_api_key?.reveal();
    return { ...(apiUrl ? { apiUrl } : {}), ...(apiKey ? { apiKey } : {}) };
}

/** `maas:apiKey` from the stack config (a secret), if set. */
function configuredKey(config: pulumi.Config): pulumi.Output<string | undefined> {
    return config.getSecret("apiKey") ?? pulumi.output(undefined);
}

/** BMC credentials sealed with the API key when it is known here (else a plain Pulumi secret). */
function sealed(parameters: Record<string, string>, apiKey: string | undefined): Record<string, string> | string {
    return apiKey ? sealPowerParameters(parameters, apiKey) : parameters;
}

/** The `list` action: every machine in MAAS, read when the program runs. */
function listAllMachines(credentials: ProgramCredentials): pulumi.Output<unknown> {
    const { MaasClient } = require("@maas-automation/provider/dist/maas") as typeof import("@maas-automation/provider/dist/maas");
    const config = new pulumi.Config("maas");
    const apiUrl = config.get("apiUrl") ?? credentials.apiUrl;
    return configuredKey(config).apply((k) => {
        const apiKey = k ?? credentials.apiKey;
        if (!apiUrl || !apiKey) return "list: no MAAS configured";
        return listWith(new MaasClient({ apiUrl, apiKey }));
    });
}

function listWith(client: import("@maas-automation/provider/dist/maas").MaasClient) {
    return client.listMachines().then((ms) =>
        ms.map((x) => ({ hostname: x.hostname, systemId: x.system_id, status: x.status_name, power: x.power_state ?? "unknown", ipAddresses: x.ip_addresses })),
    ).finally(() => client.close());
}
