// MaasStorageLayout inside the provider process. The layout is validated against the real disk as early
// as the disk is known (check, when the machine exists; else before the first storage call), applied as a
// unit on a Ready machine (set_storage_layout blank, boot disk, partitions, VGs, LVs, format, mount), read
// back and compared to the byte. Any change is a delete-first replacement (MAAS edits storage only on a
// Ready machine, so on a deployed machine the engine releases the deployment first); update and delete
// never call MAAS.
import { BlockDevice, Machine, NotFoundError } from "../maas";
import { client, hasMaas, machineOrGone, recentMachine } from "./config";
import { CheckFailure, UNKNOWN, containsUnknown, errorMessage, revisionOf, sameJson } from "./common";
import {
    CurtinStorageConfig,
    LayoutSpec,
    NormalDisk,
    NormalLayout,
    NormalPartition,
    NormalVolumeGroup,
    ResolvedLayout,
    compareLayout,
    layoutShownBy,
    normaliseLayout,
    observeLayout,
    renderCurtin,
    resolveLayout,
    selectDisk,
} from "./layout-math";
import { reportProgress } from "./progress";

export interface StorageLayoutInputs {
    systemId: string;
    hostname: string;
    /** The machine's commissioning identity: a re-commission resets MAAS's storage, so a change re-applies. */
    commissionRevision: string;
    disk: NormalDisk;
    setBootDisk: boolean;
    partitions: NormalPartition[];
    volumeGroups: NormalVolumeGroup[];
}

export interface StorageLayoutOuts extends StorageLayoutInputs {
    /** Hash of the normalised layout; `read` changes it when MAAS no longer holds the layout (drift). */
    revision: string;
    /** The layout with byte sizes, as MAAS holds it. */
    applied: ResolvedLayout;
    curtin: CurtinStorageConfig;
}

const LAYOUT_FIELDS = ["disk", "setBootDisk", "partitions", "volumeGroups"] as const;
const IDENTITY_FIELDS = ["systemId", "commissionRevision"] as const;

function who(p: { hostname: string; systemId?: string }): string {
    return p.systemId && p.systemId !== UNKNOWN ? `${p.hostname} (${p.systemId})` : p.hostname;
}

export function layoutOf(p: Pick<StorageLayoutInputs, (typeof LAYOUT_FIELDS)[number]>): NormalLayout {
    return { disk: p.disk, setBootDisk: p.setBootDisk, partitions: p.partitions, volumeGroups: p.volumeGroups };
}

/** The revision a layout has when MAAS holds exactly it. */
export function layoutRevision(p: Pick<StorageLayoutInputs, (typeof LAYOUT_FIELDS)[number]>): string {
    return revisionOf(layoutOf(p));
}

function facts(machine: Machine, diskId: number, setBootDisk: boolean) {
    return {
        bootMethod: machine.bios_boot_method ?? null,
        architecture: machine.architecture ?? "amd64/generic",
        isBootDisk: setBootDisk || machine.boot_disk?.id === diskId,
    };
}

/** Picks the disk and sizes the layout on it; throws with the numbers when it cannot fit. */
function plan(inputs: StorageLayoutInputs, machine: Machine, devices: BlockDevice[]): { diskId: number; resolved: ResolvedLayout } {
    const picked = selectDisk(inputs.disk, devices, machine.boot_disk?.id ?? null);
    if (!picked.disk) throw new Error(`storage layout of ${who(inputs)}: ${picked.error}`);
    const { resolved, problems } = resolveLayout(layoutOf(inputs), picked.disk, facts(machine, picked.disk.id, inputs.setBootDisk));
    if (!resolved) throw new Error(`storage layout of ${who(inputs)}: ${problems.join("; ")}; nothing was changed`);
    return { diskId: picked.disk.id, resolved };
}

function toSpec(raw: Record<string, unknown>): LayoutSpec {
    return {
        disk: (raw.disk as LayoutSpec["disk"]) ?? {},
        setBootDisk: raw.setBootDisk === true,
        partitions: (raw.partitions as LayoutSpec["partitions"]) ?? [],
        volumeGroups: (raw.volumeGroups as LayoutSpec["volumeGroups"]) ?? [],
    };
}

export async function check(_olds: Partial<StorageLayoutInputs>, news: Record<string, unknown>): Promise<{ inputs: StorageLayoutInputs; failures: CheckFailure[] }> {
    const failures: CheckFailure[] = [];
    const base = {
        systemId: String(news.systemId ?? ""),
        hostname: String(news.hostname ?? ""),
        commissionRevision: String(news.commissionRevision ?? ""),
    };
    if (!base.systemId) failures.push({ property: "systemId", reason: "the machine's system_id is required" });
    const layoutRaw = Object.fromEntries(LAYOUT_FIELDS.map((f) => [f, news[f]]));
    if (containsUnknown(layoutRaw)) {
        // Not known until apply: keep it as it is; create validates it.
        return { inputs: { ...base, ...(layoutRaw as unknown as NormalLayout) }, failures };
    }
    const { layout, problems } = normaliseLayout(toSpec(news));
    for (const p of problems) failures.push({ property: p.property, reason: `${base.hostname}: ${p.reason}` });
    const inputs: StorageLayoutInputs = { ...base, ...layout };
    // Preview of an existing machine: the disk is known, so size the layout on it now.
    // (Skipped while commissioning is still to run: its hardware discovery may change the disks.)
    if (failures.length === 0 && base.systemId && !containsUnknown(base.systemId) && !containsUnknown(base.commissionRevision) && hasMaas()) {
        try {
            const machine = await recentMachine(base.systemId, "read machine for its storage layout");
            if (!["New", "Commissioning", "Testing"].includes(machine.status_name)) plan(inputs, machine, machine.blockdevice_set);
        } catch (e) {
            if (!(e instanceof NotFoundError)) failures.push({ property: "partitions", reason: errorMessage(e) });
        }
    }
    return { inputs, failures };
}

export async function diff(_id: string, olds: StorageLayoutOuts, news: StorageLayoutInputs): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
    const replaces: string[] = [];
    for (const f of IDENTITY_FIELDS) if (containsUnknown(news[f]) || olds[f] !== news[f]) replaces.push(f);
    for (const f of LAYOUT_FIELDS) if (containsUnknown(news[f]) || !sameJson(olds[f], news[f])) replaces.push(f);
    // Same request, but `read` found MAAS holding something else: re-apply.
    if (replaces.length === 0 && olds.revision !== layoutRevision(news)) replaces.push("revision");
    const changes = replaces.length > 0 || olds.hostname !== news.hostname;
    return { changes, replaces, deleteBeforeReplace: true };
}

async function observe(systemId: string, diskName: string) {
    const maas = client();
    const [devices, vgs] = await Promise.all([maas.listBlockDevices(systemId), maas.listVolumeGroups(systemId)]);
    return observeLayout(diskName, devices, vgs);
}

async function apply(inputs: StorageLayoutInputs, diskId: number, resolved: ResolvedLayout, started: number): Promise<void> {
    const maas = client();
    const sid = inputs.systemId;
    const step = (message: string) => reportProgress({ host: inputs.hostname, systemId: sid, state: "Ready", elapsedS: (Date.now() - started) / 1000, timeoutS: null, message, step: true });
    step("storage: set_storage_layout blank");
    await maas.setStorageLayout(sid, "blank");
    if (inputs.setBootDisk) {
        step(`storage: boot disk ${resolved.disk.name}`);
        await maas.setBootDisk(sid, diskId);
    }
    const partitionIds: number[] = [];
    for (const p of resolved.partitions) {
        const part = await maas.createPartition(sid, diskId, { size: p.size, ...(p.bootable ? { bootable: true } : {}) });
        partitionIds.push(part.id);
        if (p.fs && p.fs !== "lvm-pv") {
            await maas.formatPartition(sid, diskId, part.id, { fstype: p.fs, ...(p.label ? { label: p.label } : {}) });
            if (p.mount) await maas.mountPartition(sid, diskId, part.id, { mountPoint: p.mount });
        }
    }
    step(`storage: ${resolved.partitions.length} partitions on ${resolved.disk.name}`);
    for (const vg of resolved.volumeGroups) {
        const created = await maas.createVolumeGroup(sid, { name: vg.name, partitions: vg.partitions.map((i) => partitionIds[i]!) });
        for (const lv of vg.logicalVolumes) {
            const dev = await maas.createLogicalVolume(sid, created.id, { name: lv.name, size: lv.size });
            if (lv.fs) {
                await maas.formatBlockDevice(sid, dev.id, { fstype: lv.fs });
                if (lv.mount) await maas.mountBlockDevice(sid, dev.id, { mountPoint: lv.mount });
            }
        }
        step(`storage: volume group ${vg.name} with ${vg.logicalVolumes.length} logical volumes`);
    }
}

function outsFor(inputs: StorageLayoutInputs, resolved: ResolvedLayout): StorageLayoutOuts {
    return { ...inputs, revision: layoutRevision(inputs), applied: resolved, curtin: renderCurtin(resolved) };
}

export async function create(inputs: StorageLayoutInputs & Record<string, unknown>): Promise<{ id: string; outs: StorageLayoutOuts }> {
    if (containsUnknown(layoutOf(inputs)) || containsUnknown(inputs.systemId)) throw new Error(`storage layout of ${who(inputs)}: inputs are still unknown`);
    const { problems } = normaliseLayout(layoutOf(inputs) as unknown as LayoutSpec);
    if (problems.length) throw new Error(`storage layout of ${who(inputs)}: ${problems.map((p) => `${p.property}: ${p.reason}`).join("; ")}`);
    const maas = client();
    const started = Date.now();
    const machine = await maas.getMachine(inputs.systemId, "read machine for its storage layout");
    const { diskId, resolved } = plan(inputs, machine, machine.blockdevice_set);
    const id = `${inputs.systemId}/storage`;
    const bootDiskOk = !inputs.setBootDisk || machine.boot_disk?.id === diskId;
    const before = compareLayout(resolved, await observe(inputs.systemId, resolved.disk.name));
    if (before.length === 0 && bootDiskOk) {
        reportProgress({ host: inputs.hostname, systemId: inputs.systemId, state: machine.status_name, elapsedS: 0, timeoutS: null, message: "storage: MAAS already holds this layout", step: true });
        return { id, outs: outsFor(inputs, resolved) };
    }
    if (machine.status_name !== "Ready") {
        throw new Error(
            `storage layout of ${who(inputs)}: MAAS changes storage only on a Ready machine, and this one is ${machine.status_name}. ` +
                `A layout change on a deployed machine replaces its deployment first (release with erase, gated by maas:allowRedeploy); ` +
                `a machine still commissioning or failed must reach Ready first. Nothing was changed.`,
        );
    }
    await apply(inputs, diskId, resolved, started);
    const after = compareLayout(resolved, await observe(inputs.systemId, resolved.disk.name));
    if (after.length) throw new Error(`storage layout of ${who(inputs)}: applied, but MAAS reports a different layout: ${after.join("; ")}`);
    if (inputs.setBootDisk) {
        const m = await maas.getMachine(inputs.systemId, "read boot disk");
        if (m.boot_disk?.id !== diskId) throw new Error(`storage layout of ${who(inputs)}: set_boot_disk ${resolved.disk.name} was sent, but MAAS's boot disk is ${m.boot_disk?.name ?? "none"}`);
    }
    reportProgress({ host: inputs.hostname, systemId: inputs.systemId, state: "Ready", elapsedS: (Date.now() - started) / 1000, timeoutS: null, message: "storage: layout applied and read back", step: true });
    return { id, outs: outsFor(inputs, resolved) };
}

/** Only the hostname can change without a replacement; nothing to do in MAAS. */
export async function update(_id: string, olds: StorageLayoutOuts, news: StorageLayoutInputs): Promise<{ outs: StorageLayoutOuts }> {
    return { outs: { ...olds, hostname: news.hostname } };
}

export async function read(id: string, props: StorageLayoutOuts): Promise<{ id?: string; props?: StorageLayoutOuts }> {
    // The machine's JSON, shared by the fleet's refresh, shows whether the layout holds; the volume
    // groups are read only when it does not, to say exactly what changed.
    const machine = await machineOrGone(props.systemId);
    if (!machine) return {};
    if (layoutShownBy(props.applied, machine.blockdevice_set)) return { id, props: { ...props, revision: layoutRevision(props) } };
    let diffs: string[];
    try {
        diffs = compareLayout(props.applied, await observe(props.systemId, props.applied.disk.name));
    } catch (e) {
        if (e instanceof NotFoundError) return {};
        throw e;
    }
    if (diffs.length) {
        console.log(`warning: storage layout of ${who(props)} changed in MAAS: ${diffs.join("; ")}`);
        return { id, props: { ...props, revision: `drift:${revisionOf(diffs)}` } };
    }
    return { id, props: { ...props, revision: layoutRevision(props) } };
}

/** Never calls MAAS: release with erase and machine deletion undo a layout; MAAS keeps it until then. */
export async function remove(id: string, props: StorageLayoutOuts): Promise<void> {
    void id;
    reportProgress({ host: props.hostname, systemId: props.systemId, state: "forgotten", elapsedS: 0, timeoutS: null, message: "storage layout left in MAAS (it is replaced at the next layout change or redeploy)", step: true });
}

