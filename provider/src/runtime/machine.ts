// MaasMachine inside the provider process: find or enlist a machine, set its power, commission it and
// wait for Ready. Outs hold identity and hardware, never lifecycle status, so a later deployment does
// not read as drift; `health` records drift that `read` finds (gone, failed, back in New).
import { FailureStateError, Machine, NotFoundError, StatusName } from "../maas";
import { client, hasMaas, isRemoval, machineOrGone, noteDeclared, providerConfig, recentMachine } from "./config";
import { isSealed, unsealJson } from "./seal";
import { CheckFailure, UNKNOWN, containsUnknown, errorMessage, partialState } from "./common";
import { parseMarker, renderDescription, stripSection } from "./marker";
import { HOLDING_STATES, judge } from "./policy";
import { releaseMachine } from "./lifecycle";
import { reportProgress, stateChanges } from "./progress";

export interface CommissioningSettings {
    scripts: string[];
    testingScripts: string[];
    enableSsh: boolean;
    skipNetworking: boolean;
    skipStorage: boolean;
}

export interface MachineInputs {
    hostname: string;
    pxeMac: string | null;
    architecture: string;
    powerType: string | null;
    /** Plain (a Pulumi secret) or sealed with the API key (runtime/seal.ts), as the program chose. */
    powerParameters: Record<string, string> | string;
    /** Take over an existing machine the stack did not enlist (destroy then only forgets it). */
    adopt: boolean;
    /** Commission an adopted machine when the stack takes it over (enlisted machines always are). */
    commissionOnAdopt: boolean;
    commissioning: CommissioningSettings;
    commissionTimeoutS: number;
    waitCommissioning: boolean;
    bios: Record<string, string>;
    /** "<project>/<stack>/<resource name>", written into the description and used for recovery. */
    owner: string;
    /** Changing it re-commissions the machine (the CLI's `-a commission`). */
    commissionToken: string;
    /** Looked up in check during preview for adopted machines, so the plan shows what is taken over. */
    adoptedSystemId?: string;
    adoptedStatus?: string;
    /**
     * The machine's identity, kept with the inputs once known (refresh records it), so that a preview
     * of an update (a rename, new power settings) shows the same machine to the resources that depend
     * on it instead of unknown values that would read as replacements.
     */
    systemId?: string;
    commissionRevision?: string;
}

export interface HardwareSummary {
    bootMethod: string;
    interfaces: { name: string; mac: string | null }[];
    disks: { name: string; size: number; serial: string | null }[];
}

export interface MachineOuts extends MachineInputs {
    systemId: string;
    enlistedByStack: boolean;
    /** "ok", or what `read` found wrong ("gone", "failed: Failed commissioning", "new"). */
    health: string;
    /** Changes whenever this stack (re)commissioned the machine: storage and network re-apply on it. */
    commissionRevision: string;
    hardware: HardwareSummary | null;
}

const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
const DEFAULT_ARCH = "amd64/generic";

export function normaliseMac(mac: string): string {
    return mac.trim().toLowerCase().replace(/-/g, ":");
}

export async function check(olds: Partial<MachineInputs>, news: Record<string, unknown>): Promise<{ inputs: MachineInputs; failures: CheckFailure[] }> {
    const failures: CheckFailure[] = [];
    const raw = news as Partial<MachineInputs> & Record<string, unknown>;
    const pxeMac = typeof raw.pxeMac === "string" && raw.pxeMac !== UNKNOWN ? normaliseMac(raw.pxeMac) : (raw.pxeMac ?? null);
    if (typeof pxeMac === "string" && pxeMac !== UNKNOWN && !MAC.test(pxeMac)) failures.push({ property: "pxeMac", reason: `"${pxeMac}" is not a MAC address` });
    if (!raw.hostname) failures.push({ property: "hostname", reason: "a hostname is required" });
    const adopt = raw.adopt === true;
    if (!adopt && !pxeMac) failures.push({ property: "pxeMac", reason: `${raw.hostname}: enlisting a machine needs its PXE MAC (pxe_mac), or set adopt: true to take over an existing one` });
    const inputs: MachineInputs = {
        hostname: String(raw.hostname ?? ""),
        pxeMac: (pxeMac as string | null) ?? null,
        architecture: typeof raw.architecture === "string" && raw.architecture ? normaliseArch(raw.architecture) : DEFAULT_ARCH,
        powerType: raw.powerType ?? null,
        powerParameters: (raw.powerParameters as MachineInputs["powerParameters"] | undefined) ?? {},
        adopt,
        commissionOnAdopt: raw.commissionOnAdopt === true,
        commissioning: {
            scripts: raw.commissioning?.scripts ?? [],
            testingScripts: raw.commissioning?.testingScripts ?? [],
            enableSsh: raw.commissioning?.enableSsh === true,
            skipNetworking: raw.commissioning?.skipNetworking === true,
            skipStorage: raw.commissioning?.skipStorage === true,
        },
        commissionTimeoutS: typeof raw.commissionTimeoutS === "number" ? raw.commissionTimeoutS : 1200,
        waitCommissioning: raw.waitCommissioning !== false,
        bios: raw.bios ?? {},
        owner: String(raw.owner ?? ""),
        // A token asks for a re-commission once: the state keeps it, so a token that is no longer
        // configured (a per-run one, a reverted stack file) changes nothing.
        commissionToken: (typeof raw.commissionToken === "string" && raw.commissionToken) || olds?.commissionToken || "",
    };
    if (olds?.commissionToken !== undefined && inputs.commissionToken !== olds.commissionToken && !containsUnknown(inputs.commissionToken)) {
        console.log(`${inputs.hostname}: re-commission requested (commission token ${inputs.commissionToken}); MAAS resets its storage and network, which are then applied again`);
    }
    carryIdentity(olds, inputs);
    noteDeclared(inputs.owner);
    failures.push(...(await recommissionRefusal(olds, inputs)));
    // Preview of an adoption: show which machine will be taken over, and its status.
    const firstTime = !olds || !olds.hostname;
    if (adopt && firstTime && !containsUnknown(inputs.hostname) && hasMaas()) {
        try {
            const found = await client().findMachine({ hostname: inputs.hostname, ...(inputs.pxeMac && inputs.pxeMac !== UNKNOWN ? { mac: inputs.pxeMac } : {}) });
            if (!found) failures.push({ property: "hostname", reason: `adopt: no machine "${inputs.hostname}" in MAAS` });
            else {
                inputs.adoptedSystemId = found.system_id;
                inputs.adoptedStatus = found.status_name;
            }
        } catch (e) {
            failures.push({ property: "hostname", reason: `adopt: looking up "${inputs.hostname}" in MAAS failed: ${errorMessage(e)}` });
        }
    } else if (olds?.adoptedSystemId) {
        inputs.adoptedSystemId = olds.adoptedSystemId;
        inputs.adoptedStatus = olds.adoptedStatus;
    }
    return { inputs, failures };
}

/** The identity of the same machine, unless this change makes it another one or re-commissions it. */
function carryIdentity(olds: Partial<MachineInputs>, inputs: MachineInputs): void {
    if (!olds?.systemId) return;
    const sameMachine = olds.adopt === inputs.adopt && (olds.pxeMac ?? null) === inputs.pxeMac;
    if (!sameMachine) return;
    inputs.systemId = olds.systemId;
    if (olds.commissionRevision && olds.commissionToken === inputs.commissionToken) inputs.commissionRevision = olds.commissionRevision;
}

function hasPower(inputs: MachineInputs): boolean {
    return isSealed(inputs.powerParameters) || Object.keys(inputs.powerParameters).length > 0;
}

/** The BMC parameters in clear, only on their way to MAAS. */
function openPower(inputs: MachineInputs): Record<string, string> {
    if (!isSealed(inputs.powerParameters)) return inputs.powerParameters;
    return unsealJson(inputs.powerParameters, providerConfig().apiKey) as Record<string, string>;
}

function normaliseArch(arch: string): string {
    return arch.includes("/") ? arch : `${arch}/generic`;
}

export interface DiffResult {
    changes: boolean;
    replaces: string[];
    deleteBeforeReplace: boolean;
}

export async function diff(_id: string, olds: MachineOuts, news: MachineInputs): Promise<DiffResult> {
    const replaces: string[] = [];
    // A different PXE MAC is different hardware: delete-first, the old machine must be given back first.
    if (news.pxeMac !== olds.pxeMac && news.pxeMac !== null && olds.pxeMac !== null) replaces.push("pxeMac");
    if (news.adopt !== olds.adopt) replaces.push("adopt");
    const changed =
        replaces.length > 0 ||
        olds.health !== "ok" ||
        olds.hardware === null ||
        news.hostname !== olds.hostname ||
        news.powerType !== olds.powerType ||
        JSON.stringify(news.powerParameters) !== JSON.stringify(olds.powerParameters) ||
        JSON.stringify(news.bios) !== JSON.stringify(olds.bios) ||
        news.commissionToken !== olds.commissionToken ||
        news.commissionTimeoutS !== olds.commissionTimeoutS ||
        JSON.stringify(news.commissioning) !== JSON.stringify(olds.commissioning) ||
        news.waitCommissioning !== olds.waitCommissioning ||
        news.architecture !== olds.architecture;
    return { changes: changed, replaces, deleteBeforeReplace: replaces.length > 0 };
}

function who(inputs: { hostname: string }, systemId?: string | null): string {
    return systemId ? `${inputs.hostname} (${systemId})` : inputs.hostname;
}

const COMMISSION_FAILURES: StatusName[] = ["Failed commissioning", "Failed testing"];

async function commissionAndWait(inputs: MachineInputs, machine: Machine, startCommissioning: boolean): Promise<Machine> {
    const maas = client();
    if (startCommissioning) {
        machine = await maas.commission(machine.system_id, {
            enableSsh: inputs.commissioning.enableSsh,
            skipNetworking: inputs.commissioning.skipNetworking,
            skipStorage: inputs.commissioning.skipStorage,
            ...(inputs.commissioning.scripts.length ? { commissioningScripts: inputs.commissioning.scripts } : {}),
            ...(inputs.commissioning.testingScripts.length ? { testingScripts: inputs.commissioning.testingScripts } : {}),
        });
    }
    if (!inputs.waitCommissioning) return machine;
    return waitForReady(inputs, machine);
}

async function waitForReady(inputs: MachineInputs, machine: Machine): Promise<Machine> {
    const timeoutS = inputs.commissionTimeoutS;
    reportProgress({ host: inputs.hostname, systemId: machine.system_id, state: machine.status_name, elapsedS: 0, timeoutS, message: "waiting for Ready", step: true });
    return client()
        .watcher.waitFor({
            systemId: machine.system_id,
            hostname: inputs.hostname,
            target: ["Ready"],
            failure: COMMISSION_FAILURES,
            timeoutMs: timeoutS * 1000,
            operation: "commission",
            onChange: stateChanges(inputs.hostname, machine.status_name, timeoutS),
        })
        .catch(async (e: unknown) => Promise.reject(await client().withFailureEvent(e)));
}

function hardwareOf(m: Machine): HardwareSummary {
    return {
        bootMethod: m.bios_boot_method ?? "unknown",
        interfaces: m.interface_set
            .filter((i) => i.type === "physical")
            .map((i) => ({ name: i.name, mac: i.mac_address ?? null }))
            .sort((a, b) => a.name.localeCompare(b.name)),
        disks: m.blockdevice_set
            .filter((d) => d.type === "physical")
            .map((d) => ({ name: d.name, size: d.size, serial: d.serial ?? null }))
            .sort((a, b) => a.name.localeCompare(b.name)),
    };
}

function outsFor(inputs: MachineInputs, m: Machine, enlistedByStack: boolean, commissionRevision: string): MachineOuts {
    return {
        ...inputs,
        systemId: m.system_id,
        enlistedByStack,
        health: "ok",
        commissionRevision,
        hardware: hardwareOf(m),
    };
}

function revision(systemId: string, inputs: MachineInputs, n: number): string {
    return `${systemId}/${inputs.commissionToken || "initial"}/${n}`;
}

/** Brings an existing machine to Ready as far as it can without destroying anything. */
async function converge(inputs: MachineInputs, machine: Machine, forceCommission: boolean): Promise<Machine> {
    const status = machine.status_name as StatusName;
    if (status === "Commissioning" || status === "Testing") return inputs.waitCommissioning ? waitForReady(inputs, machine) : machine;
    if (forceCommission || status === "New" || status === "Failed commissioning" || status === "Failed testing") {
        if (HOLDING_STATES.includes(status)) {
            // Allowed by the policy in check: MAAS commissions only a machine that holds no deployment.
            machine = await releaseMachine({ hostname: inputs.hostname, systemId: machine.system_id, release: RELEASE_BEFORE_RECOMMISSION }, machine);
        } else if (!COMMISSIONABLE.includes(status)) {
            throw new Error(`commission ${who(inputs, machine.system_id)}: MAAS cannot commission a machine in state ${status}; release it first (pulumi destroy --target of its deployment, or the CLI's -a release)`);
        }
        return commissionAndWait(inputs, machine, true);
    }
    return machine;
}

const COMMISSIONABLE: readonly string[] = ["New", "Ready", "Broken", "Failed commissioning", "Failed testing"];
/** A deployed machine is given back with its disks erased before MAAS commissions it again. */
const RELEASE_BEFORE_RECOMMISSION = { erase: true, secureErase: false, quickErase: false, timeoutS: 1800, wait: true };

/** The policy's refusal of a re-commission this check asks for, judged from the machine's status now. */
async function recommissionRefusal(olds: Partial<MachineInputs>, inputs: MachineInputs): Promise<CheckFailure[]> {
    if (!olds?.systemId || olds.commissionToken === undefined || olds.commissionToken === inputs.commissionToken || !hasMaas()) return [];
    let status: string;
    try {
        status = (await recentMachine(olds.systemId, "read machine before commissioning it again")).status_name;
    } catch (e) {
        if (e instanceof NotFoundError) return [];
        return [{ property: "commissionToken", reason: errorMessage(e) }];
    }
    const refusal = judge("recommission", { hostname: inputs.hostname, systemId: olds.systemId, status }, `the commission token ${inputs.commissionToken} asks for a re-commission`);
    return refusal ? [{ property: "commissionToken", reason: refusal }] : [];
}

async function enlist(inputs: MachineInputs): Promise<Machine> {
    const maas = client();
    return maas.createMachine({
        hostname: inputs.hostname,
        architecture: inputs.architecture,
        macAddresses: [inputs.pxeMac!],
        description: renderDescription("", { ownership: "enlisted", owner: inputs.owner, bios: inputs.bios }),
        ...(inputs.powerType ? { powerType: inputs.powerType } : {}),
        ...(hasPower(inputs) ? { powerParameters: openPower(inputs) } : {}),
        commission: true,
        enableSsh: inputs.commissioning.enableSsh,
        skipNetworking: inputs.commissioning.skipNetworking,
        skipStorage: inputs.commissioning.skipStorage,
        ...(inputs.commissioning.scripts.length ? { commissioningScripts: inputs.commissioning.scripts } : {}),
        ...(inputs.commissioning.testingScripts.length ? { testingScripts: inputs.commissioning.testingScripts } : {}),
    });
}

async function findExisting(inputs: MachineInputs): Promise<Machine | undefined> {
    return client().findMachine({ ...(inputs.pxeMac ? { mac: inputs.pxeMac } : {}), hostname: inputs.hostname });
}

export async function create(inputs: MachineInputs & Record<string, unknown>): Promise<{ id: string; outs: MachineOuts }> {
    let machine = await findExisting(inputs);
    let enlistedByStack: boolean;
    let commissionNow = false;
    if (inputs.adopt) {
        if (!machine) throw new Error(`adopt ${inputs.hostname}: no such machine in MAAS (looked up by hostname${inputs.pxeMac ? " and MAC " + inputs.pxeMac : ""})`);
        enlistedByStack = false;
        commissionNow = inputs.commissionOnAdopt;
    } else if (machine) {
        const marker = parseMarker(machine.description);
        if (!marker || marker.ownership !== "enlisted" || marker.owner !== inputs.owner) {
            throw new Error(
                `create ${who(inputs, machine.system_id)}: a machine with this ${inputs.pxeMac ? "MAC" : "hostname"} is already in MAAS ` +
                    `(hostname ${machine.hostname}, status ${machine.status_name}) and this stack did not enlist it; set "adopt": true to take it over`,
            );
        }
        // Our own machine from an interrupted run: recovery, not adoption.
        enlistedByStack = true;
        reportProgress({ host: inputs.hostname, systemId: machine.system_id, state: machine.status_name, elapsedS: 0, timeoutS: null, message: "found the machine this stack enlisted before (recovering)" });
    } else {
        machine = await enlist(inputs);
        enlistedByStack = true;
        reportProgress({ host: inputs.hostname, systemId: machine.system_id, state: machine.status_name, elapsedS: 0, timeoutS: inputs.commissionTimeoutS, message: "enlisted" });
    }
    const systemId = machine.system_id;
    try {
        if (!enlistedByStack || machine.status_name !== "Commissioning") {
            machine = await applySettings(inputs, machine, enlistedByStack ? "enlisted" : "adopted");
        }
        machine = await converge(inputs, machine, commissionNow);
        return { id: systemId, outs: outsFor(inputs, machine, enlistedByStack, revision(systemId, inputs, 1)) };
    } catch (e) {
        const failed: MachineOuts = {
            ...inputs,
            systemId,
            enlistedByStack,
            health: e instanceof FailureStateError ? `failed: ${e.statusName}` : `failed: ${errorMessage(e)}`,
            commissionRevision: "",
            hardware: null,
        };
        throw partialState(errorMessage(e), systemId, { ...inputs, ...failed });
    }
}

/** Hostname, power and the description section, written only where MAAS differs from the inputs. */
async function applySettings(inputs: MachineInputs, machine: Machine, ownership: "enlisted" | "adopted"): Promise<Machine> {
    const description = renderDescription(machine.description ?? "", { ownership, owner: inputs.owner, bios: inputs.bios });
    const update: { hostname?: string; description?: string; powerType?: string; powerParameters?: Record<string, string> } = {};
    if (machine.hostname !== inputs.hostname) update.hostname = inputs.hostname;
    if ((machine.description ?? "") !== description) update.description = description;
    if (inputs.powerType && (machine.power_type !== inputs.powerType || hasPower(inputs))) {
        update.powerType = inputs.powerType;
        update.powerParameters = openPower(inputs);
    }
    if (Object.keys(update).length === 0) return machine;
    return client().updateMachine(machine.system_id, update);
}

export async function update(id: string, olds: MachineOuts, news: MachineInputs): Promise<{ outs: MachineOuts }> {
    const maas = client();
    let machine: Machine;
    try {
        machine = await maas.getMachine(id);
    } catch (e) {
        if (e instanceof NotFoundError) {
            throw new Error(`update ${who(news, id)}: the machine is gone from MAAS; run \`pulumi refresh\` so the next \`up\` enlists it again`);
        }
        throw e;
    }
    const enlistedByStack = olds.enlistedByStack;
    try {
        const powerChanged = news.powerType !== olds.powerType || JSON.stringify(news.powerParameters) !== JSON.stringify(olds.powerParameters);
        if (news.hostname !== olds.hostname || powerChanged || JSON.stringify(news.bios) !== JSON.stringify(olds.bios) || parseMarker(machine.description) === undefined) {
            machine = await applySettings(news, machine, enlistedByStack ? "enlisted" : "adopted");
        }
        const recommission = news.commissionToken !== olds.commissionToken;
        const wasIncomplete = olds.hardware === null || olds.health !== "ok";
        machine = await converge(news, machine, recommission);
        const n = Number((olds.commissionRevision || "").split("/").pop() ?? 0) || 1;
        const commissionRevision = recommission || wasIncomplete ? revision(id, news, n + 1) : olds.commissionRevision;
        return { outs: outsFor(news, machine, enlistedByStack, commissionRevision) };
    } catch (e) {
        throw new Error(errorMessage(e));
    }
}

export async function read(id: string, props: MachineOuts): Promise<{ id?: string; props?: MachineOuts; inputs?: MachineInputs }> {
    const machine = await machineOrGone(id);
    if (!machine) return {};
    const status = machine.status_name as StatusName;
    let health = "ok";
    if (status === "New") health = "new";
    else if (status === "Failed commissioning" || status === "Failed testing") health = `failed: ${status}`;
    const refreshed: MachineOuts = { ...props, hostname: machine.hostname, health, hardware: health === "ok" ? hardwareOf(machine) : props.hardware };
    return { id, props: refreshed, inputs: inputsOf(refreshed) };
}

/** The inputs a refreshed machine stands for, with its identity (the revision only while its commissioning holds). */
function inputsOf(outs: MachineOuts): MachineInputs {
    const { enlistedByStack: _e, health, hardware: _h, commissionRevision, ...inputs } = outs;
    return { ...inputs, systemId: outs.systemId, ...(health === "ok" && commissionRevision ? { commissionRevision } : {}) };
}

export async function remove(id: string, props: MachineOuts): Promise<void> {
    const machine = await machineOrGone(id);
    if (!machine) return;
    if (!props.enlistedByStack) return forget(props, machine);
    if (isRemoval(props.owner)) {
        const refusal = judge("delete", { hostname: props.hostname, systemId: id, status: machine.status_name }, "it left the program");
        if (refusal) throw new Error(`delete ${who(props, id)}: ${refusal}`);
    }
    try {
        await client().deleteMachine(id);
        reportProgress({ host: props.hostname, systemId: id, state: "deleted", elapsedS: 0, timeoutS: null, message: "removed from MAAS" });
    } catch (e) {
        if (e instanceof NotFoundError) return;
        throw e;
    }
}

/** An adopted machine stays in MAAS as it is; only this stack's marker leaves it, so another stack may take it over. */
async function forget(props: MachineOuts, machine: Machine): Promise<void> {
    const marker = parseMarker(machine.description);
    if (marker?.owner === props.owner) await client().updateMachine(machine.system_id, { description: stripSection(machine.description) });
    reportProgress({ host: props.hostname, systemId: machine.system_id, state: "forgotten", elapsedS: 0, timeoutS: null, message: "adopted machine left in MAAS as it is" });
}
