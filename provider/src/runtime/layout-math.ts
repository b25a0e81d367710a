// Storage layouts without MAAS: normalising what the operator asked for to MAAS's rounding, sizing it
// against a real disk, checking MAAS's rules, comparing it with what MAAS reports, and rendering it as
// a curtin storage config. Pure functions only (no client, no Pulumi), so every rule is unit-tested.
//
// Units: MB = 10^6 bytes, GB = 10^9 bytes (MAAS's machine_readable_bytes uses SI suffixes).
// MAAS constants checked against maasserver/models/partition.py, partitiontable.py and
// filesystemgroup.py (MAAS 3.x): PARTITION_ALIGNMENT_SIZE 4 MiB, INITIAL_PARTITION_OFFSET 4 MiB,
// END_OF_PARTITION_TABLE_SPACE 1 MiB, BIOS_GRUB_PARTITION_SIZE 1 MiB, PREP_PARTITION_SIZE 8 MiB,
// MIN_PARTITION_SIZE 4 MiB, LVM_PE_SIZE 4 MiB with one extent per physical volume kept for metadata.
import { PARTITION_ALIGNMENT_SIZE, parseMaasSize, roundPartitionSize } from "../maas/sizes";

export const MiB = 1024 * 1024;
export const GPT_START_OVERHEAD = 4 * MiB;
export const GPT_END_OVERHEAD = 1 * MiB;
export const BIOS_GRUB_SIZE = 1 * MiB;
export const PREP_SIZE = 8 * MiB;
export const MIN_PARTITION_SIZE = 4 * MiB;
export const LVM_EXTENT = 4 * MiB;
/** Filesystems a partition or logical volume may be formatted with (FILESYSTEM_FORMAT_TYPE_CHOICES minus ramfs/tmpfs, which need no device). */
export const FORMAT_TYPES = ["ext2", "ext4", "xfs", "fat32", "vfat", "swap", "btrfs", "zfsroot"] as const;
/** Filesystems without a mount point: MAAS stores the mount point "none". */
export const NO_MOUNT_POINT_TYPES = ["swap"];

// ------------------------------------------------------------------------------------------- inputs

export type SizeSpec = number | "rest";

export interface PartitionSpec {
    /** Bytes (rounded down to 4 MiB, as MAAS does), or "rest": what is left of the disk. */
    size: SizeSpec | string;
    fs?: string;
    mount?: string;
    bootable?: boolean;
    label?: string;
}

export interface LogicalVolumeSpec {
    name: string;
    size: SizeSpec | string;
    fs?: string;
    mount?: string;
}

export interface VolumeGroupSpec {
    name: string;
    /** Indexes (from 0) into the layout's partitions: the VG's physical volumes. */
    partitions: number[];
    logicalVolumes: LogicalVolumeSpec[];
}

export interface DiskSelector {
    /** "sda" or "/dev/sda". */
    name?: string;
    serial?: string;
    /** The machine's boot disk (the default when neither name nor serial is given). */
    bootDisk?: boolean;
}

export interface LayoutSpec {
    disk: DiskSelector;
    setBootDisk: boolean;
    partitions: PartitionSpec[];
    volumeGroups: VolumeGroupSpec[];
}

// --------------------------------------------------------------------------------------- normalised

export interface NormalPartition {
    size: SizeSpec;
    fs: string | null;
    mount: string | null;
    bootable: boolean;
    label: string | null;
}

export interface NormalLogicalVolume {
    name: string;
    size: SizeSpec;
    fs: string | null;
    mount: string | null;
}

export interface NormalVolumeGroup {
    name: string;
    partitions: number[];
    logicalVolumes: NormalLogicalVolume[];
}

export interface NormalDisk {
    name: string | null;
    serial: string | null;
    bootDisk: boolean;
}

/** The layout after MAAS's rounding: two requests that MAAS would store identically normalise identically. */
export interface NormalLayout {
    disk: NormalDisk;
    setBootDisk: boolean;
    partitions: NormalPartition[];
    volumeGroups: NormalVolumeGroup[];
}

export interface LayoutProblem {
    property: string;
    reason: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

export function formatGB(bytes: number): string {
    return `${(bytes / 1e9).toFixed(1)} GB`;
}

function normaliseSize(raw: unknown, property: string, problems: LayoutProblem[]): SizeSpec {
    if (raw === "rest") return "rest";
    let bytes: number;
    try {
        if (typeof raw !== "number" && typeof raw !== "string") throw new RangeError(`expected bytes or "rest", got ${JSON.stringify(raw)}`);
        bytes = parseMaasSize(raw);
    } catch (e) {
        problems.push({ property, reason: e instanceof Error ? e.message : String(e) });
        return 0;
    }
    const rounded = roundPartitionSize(bytes);
    if (rounded < MIN_PARTITION_SIZE) problems.push({ property, reason: `${bytes} bytes is less than MAAS's minimum of 4 MiB (${MIN_PARTITION_SIZE} bytes) after rounding down to 4 MiB` });
    return rounded;
}

function normaliseMount(mount: unknown, fs: string | null, property: string, problems: LayoutProblem[]): string | null {
    if (fs !== null && NO_MOUNT_POINT_TYPES.includes(fs)) return "none";
    if (mount === undefined || mount === null || mount === "") return null;
    if (typeof mount !== "string" || !mount.startsWith("/")) {
        problems.push({ property, reason: `mount point ${JSON.stringify(mount)} is not an absolute path` });
        return null;
    }
    const m = mount.length > 1 ? mount.replace(/\/+$/, "") : mount;
    if (fs === null) problems.push({ property, reason: `${m} is mounted but has no filesystem (set fs)` });
    return m;
}

function normaliseFs(fs: unknown, property: string, problems: LayoutProblem[]): string | null {
    if (fs === undefined || fs === null || fs === "") return null;
    const f = String(fs).toLowerCase();
    if (!(FORMAT_TYPES as readonly string[]).includes(f)) problems.push({ property, reason: `filesystem "${fs}" is not one MAAS can format (${FORMAT_TYPES.join(", ")})` });
    return f;
}

/** The disk name without "/dev/". */
export function diskName(name: string): string {
    return name.trim().replace(/^\/dev\//, "");
}

/**
 * Rounds sizes as MAAS will (4 MiB down), fills defaults and checks every rule that does not need the
 * disk: filesystems, mount points (absolute, unique, `/` present), names, VG membership, one "rest".
 */
export function normaliseLayout(spec: LayoutSpec): { layout: NormalLayout; problems: LayoutProblem[] } {
    const problems: LayoutProblem[] = [];
    const disk: NormalDisk = {
        name: spec.disk?.name ? diskName(spec.disk.name) : null,
        serial: spec.disk?.serial ? spec.disk.serial.trim() : null,
        bootDisk: spec.disk?.bootDisk === true || (!spec.disk?.name && !spec.disk?.serial),
    };
    const partitions: NormalPartition[] = (spec.partitions ?? []).map((p, i) => {
        const at = `partitions[${i}]`;
        const fs = normaliseFs(p.fs, `${at}.fs`, problems);
        return {
            size: normaliseSize(p.size, `${at}.size`, problems),
            fs,
            mount: normaliseMount(p.mount, fs, `${at}.mount`, problems),
            bootable: p.bootable === true,
            label: p.label ? String(p.label) : null,
        };
    });
    if (partitions.length === 0) problems.push({ property: "partitions", reason: "a layout needs at least one partition" });
    if (partitions.filter((p) => p.size === "rest").length > 1) problems.push({ property: "partitions", reason: `at most one partition per disk may take the rest ("rest"); found ${partitions.filter((p) => p.size === "rest").length}` });

    const memberOf = new Map<number, string>();
    const volumeGroups: NormalVolumeGroup[] = (spec.volumeGroups ?? []).map((vg, g) => {
        const at = `volumeGroups[${g}]`;
        if (!vg.name || !NAME.test(vg.name)) problems.push({ property: `${at}.name`, reason: `volume group name ${JSON.stringify(vg.name)} is not valid` });
        const members = [...new Set(vg.partitions ?? [])].sort((a, b) => a - b);
        if (members.length === 0) problems.push({ property: `${at}.partitions`, reason: `volume group ${vg.name} has no partitions` });
        for (const idx of members) {
            const p = partitions[idx];
            if (!Number.isInteger(idx) || !p) {
                problems.push({ property: `${at}.partitions`, reason: `volume group ${vg.name}: partition index ${idx} does not exist (the layout has ${partitions.length} partitions, indexes from 0)` });
                continue;
            }
            const other = memberOf.get(idx);
            if (other !== undefined) problems.push({ property: `${at}.partitions`, reason: `partition ${idx} is already in volume group ${other}` });
            memberOf.set(idx, vg.name);
            if (p.fs !== null || p.mount !== null) problems.push({ property: `partitions[${idx}]`, reason: `partition ${idx} is a physical volume of ${vg.name}: it cannot have its own filesystem or mount point` });
        }
        const lvs: NormalLogicalVolume[] = (vg.logicalVolumes ?? []).map((lv, l) => {
            const lat = `${at}.logicalVolumes[${l}]`;
            if (!lv.name || !NAME.test(lv.name)) problems.push({ property: `${lat}.name`, reason: `logical volume name ${JSON.stringify(lv.name)} is not valid` });
            const fs = normaliseFs(lv.fs, `${lat}.fs`, problems);
            return { name: lv.name, size: normaliseSize(lv.size, `${lat}.size`, problems), fs, mount: normaliseMount(lv.mount, fs, `${lat}.mount`, problems) };
        });
        const names = lvs.map((lv) => lv.name);
        const dup = names.find((n, i) => names.indexOf(n) !== i);
        if (dup) problems.push({ property: `${at}.logicalVolumes`, reason: `volume group ${vg.name} has two logical volumes named ${dup}` });
        if (lvs.filter((lv) => lv.size === "rest").length > 1) problems.push({ property: `${at}.logicalVolumes`, reason: `at most one logical volume per volume group may take the rest ("rest"); ${vg.name} has ${lvs.filter((lv) => lv.size === "rest").length}` });
        return { name: vg.name, partitions: members, logicalVolumes: lvs };
    });
    const vgNames = volumeGroups.map((v) => v.name);
    const dupVg = vgNames.find((n, i) => vgNames.indexOf(n) !== i);
    if (dupVg) problems.push({ property: "volumeGroups", reason: `two volume groups are named ${dupVg}` });

    const mounts: { where: string; mount: string }[] = [];
    partitions.forEach((p, i) => p.mount && p.mount !== "none" && mounts.push({ where: `partitions[${i}]`, mount: p.mount }));
    volumeGroups.forEach((vg) => vg.logicalVolumes.forEach((lv) => lv.mount && lv.mount !== "none" && mounts.push({ where: `${vg.name}/${lv.name}`, mount: lv.mount })));
    const seen = new Map<string, string>();
    for (const m of mounts) {
        const first = seen.get(m.mount);
        if (first) problems.push({ property: "partitions", reason: `mount point ${m.mount} is used twice (${first} and ${m.where})` });
        else seen.set(m.mount, m.where);
    }
    if (!seen.has("/")) problems.push({ property: "partitions", reason: "nothing is mounted at / (MAAS refuses to deploy without a root filesystem)" });

    return { layout: { disk, setBootDisk: spec.setBootDisk === true, partitions, volumeGroups }, problems };
}

// ------------------------------------------------------------------------------ the original SDK's layout

export interface SeedStorageParams {
    efi_mb?: number;
    boot_size_g?: number;
    root_size_g?: number;
    home_size_g?: number;
    var_size_g?: number;
    var_log_size_g?: number;
    tmp_size_g?: number;
}

/**
 * The original SDK's layout: 512 MB FAT32 EFI on /boot/efi (bootable), 2 GB XFS /boot, the rest an
 * LVM physical volume in `vg-main` with XFS logical volumes root 50 GB (/), home, var, var-log and tmp
 * 10 GB each. MB = 10^6 and GB = 10^9 bytes. `device` is "/dev/sda", "sda", a selector, or absent for
 * the machine's boot disk.
 */
export function seedLayout(params: SeedStorageParams = {}, device?: string | DiskSelector): LayoutSpec {
    const mb = (n: number) => Math.round(n * 1e6);
    const gb = (n: number) => Math.round(n * 1e9);
    const disk: DiskSelector = typeof device === "string" ? { name: device } : device ?? { bootDisk: true };
    const lv = (name: string, size: number, mount: string): LogicalVolumeSpec => ({ name, size: gb(size), fs: "xfs", mount });
    return {
        disk,
        setBootDisk: false,
        partitions: [
            { size: mb(params.efi_mb ?? 512), fs: "fat32", mount: "/boot/efi", bootable: true, label: "efi" },
            { size: gb(params.boot_size_g ?? 2), fs: "xfs", mount: "/boot", label: "boot" },
            { size: "rest" },
        ],
        volumeGroups: [
            {
                name: "vg-main",
                partitions: [2],
                logicalVolumes: [
                    lv("root", params.root_size_g ?? 50, "/"),
                    lv("home", params.home_size_g ?? 10, "/home"),
                    lv("var", params.var_size_g ?? 10, "/var"),
                    lv("var-log", params.var_log_size_g ?? 10, "/var/log"),
                    lv("tmp", params.tmp_size_g ?? 10, "/tmp"),
                ],
            },
        ],
    };
}

// ------------------------------------------------------------------------------------ against a disk

export interface DiskCandidate {
    id: number;
    name: string;
    type: string;
    size: number;
    serial?: string | null;
}

/** The physical disk the selector names, or an error listing the machine's disks. */
export function selectDisk(selector: NormalDisk, devices: DiskCandidate[], bootDiskId: number | null): { disk?: DiskCandidate; error?: string } {
    const physical = devices.filter((d) => d.type === "physical");
    const list = physical.map((d) => `${d.name} (${formatGB(d.size)}${d.serial ? `, serial ${d.serial}` : ""})`).join(", ") || "none";
    let disk: DiskCandidate | undefined;
    let what: string;
    if (selector.name) {
        what = `disk ${selector.name}`;
        disk = physical.find((d) => d.name === selector.name);
        if (disk && selector.serial && disk.serial !== selector.serial) return { error: `disk ${selector.name} has serial ${disk.serial ?? "(none)"}, not ${selector.serial}; the machine's disks: ${list}` };
    } else if (selector.serial) {
        what = `the disk with serial ${selector.serial}`;
        disk = physical.find((d) => d.serial === selector.serial);
    } else {
        what = "the boot disk";
        disk = physical.find((d) => d.id === bootDiskId) ?? [...physical].filter((d) => d.size >= 512 * MiB).sort((a, b) => a.id - b.id)[0];
    }
    if (!disk) return { error: `${what} is not on this machine; the machine's disks: ${list}` };
    return { disk };
}

export interface MachineFacts {
    /** MAAS's bios_boot_method: "uefi", "pxe", ... (null when MAAS does not know). */
    bootMethod: string | null;
    /** e.g. "amd64/generic". */
    architecture: string;
    /** Whether the target disk is (or will be made) the boot disk. */
    isBootDisk: boolean;
}

export interface ResolvedPartition {
    /** 1-based position on the disk in MAAS's order (creation order). */
    number: number;
    size: number;
    /** "lvm-pv" for a volume group member. */
    fs: string | null;
    mount: string | null;
    bootable: boolean;
    label: string | null;
}

export interface ResolvedLogicalVolume {
    name: string;
    size: number;
    fs: string | null;
    mount: string | null;
}

export interface ResolvedVolumeGroup {
    name: string;
    size: number;
    /** Indexes (from 0) into partitions. */
    partitions: number[];
    logicalVolumes: ResolvedLogicalVolume[];
}

/** What MAAS will hold once the layout is applied, to the byte. */
export interface ResolvedLayout {
    disk: { name: string; serial: string | null; size: number };
    bootMethod: string | null;
    /** Bytes of the disk the partition table keeps for itself. */
    tableOverhead: number;
    biosGrub: boolean;
    prep: boolean;
    partitions: ResolvedPartition[];
    volumeGroups: ResolvedVolumeGroup[];
}

export function partitionTableOverhead(facts: MachineFacts): { bytes: number; biosGrub: boolean; prep: boolean } {
    const arch = facts.architecture.split("/")[0];
    const prep = arch === "ppc64el" && facts.isBootDisk;
    const biosGrub = !prep && arch === "amd64" && facts.bootMethod !== "uefi" && facts.isBootDisk;
    return { bytes: GPT_START_OVERHEAD + GPT_END_OVERHEAD + (biosGrub ? BIOS_GRUB_SIZE : 0) + (prep ? PREP_SIZE : 0), biosGrub, prep };
}

/** A volume group's usable size: each physical volume loses one 4 MiB extent to LVM metadata. */
export function volumeGroupSize(memberSizes: number[]): number {
    return memberSizes.reduce((sum, s) => sum + Math.max(0, Math.floor(s / LVM_EXTENT) - 1) * LVM_EXTENT, 0);
}

function isEfi(p: { fs: string | null; mount: string | null }): boolean {
    return (p.fs === "fat32" || p.fs === "vfat") && p.mount === "/boot/efi";
}

/**
 * Sizes the layout on the real disk: "rest" becomes bytes, and every rule that needs the disk is
 * checked (partition table overhead, fit, EFI on UEFI machines, logical volumes fitting their VG).
 * Problems carry the numbers, e.g. "needs 612.3 GB, disk sda has 480.1 GB".
 */
export function resolveLayout(layout: NormalLayout, disk: { name: string; serial?: string | null; size: number }, facts: MachineFacts): { resolved?: ResolvedLayout; problems: string[] } {
    const problems: string[] = [];
    const overhead = partitionTableOverhead(facts);
    const fixed = layout.partitions.reduce((sum, p) => sum + (p.size === "rest" ? 0 : p.size), 0);
    const hasRest = layout.partitions.some((p) => p.size === "rest");
    const needs = overhead.bytes + fixed + (hasRest ? MIN_PARTITION_SIZE : 0);
    const overflow = needs > disk.size;
    if (overflow) {
        problems.push(
            `the layout needs ${formatGB(needs)}, disk ${disk.name} has ${formatGB(disk.size)} ` +
                `(partitions ${formatGB(fixed)}${hasRest ? " + at least 4 MiB for the \"rest\" partition" : ""} + partition table ${(overhead.bytes / MiB).toFixed(0)} MiB; ${needs} > ${disk.size} bytes)`,
        );
    }
    const restSize = roundPartitionSize(Math.max(0, disk.size - overhead.bytes - fixed));
    const members = new Set(layout.volumeGroups.flatMap((vg) => vg.partitions));
    const partitions: ResolvedPartition[] = layout.partitions.map((p, i) => ({
        number: i + 1,
        size: p.size === "rest" ? restSize : p.size,
        fs: members.has(i) ? "lvm-pv" : p.fs,
        mount: members.has(i) ? null : p.mount,
        bootable: p.bootable,
        label: members.has(i) ? null : p.label,
    }));
    if (facts.bootMethod === "uefi" && !partitions.some(isEfi)) {
        problems.push(`the machine boots with UEFI: the layout needs an EFI system partition on disk ${disk.name} (fs fat32 mounted at /boot/efi, bootable, e.g. 512 MB)`);
    }
    const volumeGroups: ResolvedVolumeGroup[] = layout.volumeGroups.map((vg) => {
        const size = volumeGroupSize(vg.partitions.map((i) => partitions[i]?.size ?? 0));
        const lvFixed = vg.logicalVolumes.reduce((sum, lv) => sum + (lv.size === "rest" ? 0 : lv.size), 0);
        const lvRest = vg.logicalVolumes.some((lv) => lv.size === "rest");
        const lvNeeds = lvFixed + (lvRest ? MIN_PARTITION_SIZE : 0);
        if (lvNeeds > size && !overflow) {
            problems.push(`volume group ${vg.name} needs ${formatGB(lvNeeds)} for its logical volumes, it has ${formatGB(size)} (${lvNeeds} > ${size} bytes)`);
        }
        return {
            name: vg.name,
            size,
            partitions: vg.partitions,
            logicalVolumes: vg.logicalVolumes.map((lv) => ({
                name: lv.name,
                size: lv.size === "rest" ? Math.max(0, Math.floor((size - lvFixed) / PARTITION_ALIGNMENT_SIZE) * PARTITION_ALIGNMENT_SIZE) : lv.size,
                fs: lv.fs,
                mount: lv.mount,
            })),
        };
    });
    if (problems.length) return { problems };
    return {
        problems,
        resolved: {
            disk: { name: disk.name, serial: disk.serial ?? null, size: disk.size },
            bootMethod: facts.bootMethod,
            tableOverhead: overhead.bytes,
            biosGrub: overhead.biosGrub,
            prep: overhead.prep,
            partitions,
            volumeGroups,
        },
    };
}

// ------------------------------------------------------------------------------ what MAAS holds

export interface MaasFilesystemLike {
    fstype: string;
    label?: string | null;
    mount_point?: string | null;
}

export interface MaasPartitionLike {
    id: number;
    size: number;
    bootable?: boolean;
    filesystem?: MaasFilesystemLike | null;
}

export interface MaasBlockDeviceLike {
    id: number;
    name: string;
    type: string;
    size: number;
    serial?: string | null;
    filesystem?: MaasFilesystemLike | null;
    partitions: MaasPartitionLike[];
}

export interface MaasVolumeGroupLike {
    id: number;
    name: string;
    size?: number;
    devices: { id: number }[];
    logical_volumes: { name: string; size: number; filesystem?: MaasFilesystemLike | null }[];
}

/** The layout MAAS reports for one disk, in the same shape as ResolvedLayout's parts. */
export interface ObservedLayout {
    diskFound: boolean;
    partitions: (ResolvedPartition & { id: number })[];
    volumeGroups: ResolvedVolumeGroup[];
    /** Filesystems mounted outside the disk's partitions and the layout's volume groups. */
    otherMounts: string[];
}

function mountOf(fs: MaasFilesystemLike | null | undefined): string | null {
    return fs?.mount_point ? fs.mount_point : null;
}

export function observeLayout(diskName: string, devices: MaasBlockDeviceLike[], vgs: MaasVolumeGroupLike[]): ObservedLayout {
    const disk = devices.find((d) => d.name === diskName && d.type === "physical");
    const parts = [...(disk?.partitions ?? [])].sort((a, b) => a.id - b.id);
    const partitions = parts.map((p, i) => ({
        id: p.id,
        number: i + 1,
        size: p.size,
        fs: p.filesystem?.fstype ?? null,
        mount: mountOf(p.filesystem),
        bootable: p.bootable === true,
        label: p.filesystem?.label ?? null,
    }));
    const indexOf = new Map(parts.map((p, i) => [p.id, i]));
    const volumeGroups = [...vgs]
        .sort((a, b) => a.id - b.id)
        .map((vg) => ({
            name: vg.name,
            size: vg.size ?? 0,
            partitions: vg.devices.map((d) => indexOf.get(d.id) ?? -1).sort((a, b) => a - b),
            logicalVolumes: vg.logical_volumes.map((lv) => ({
                name: lv.name.startsWith(`${vg.name}-`) ? lv.name.slice(vg.name.length + 1) : lv.name,
                size: lv.size,
                fs: lv.filesystem?.fstype ?? null,
                mount: mountOf(lv.filesystem),
            })),
        }));
    const otherMounts: string[] = [];
    for (const d of devices) {
        if (d.type !== "physical" || d.name === diskName) continue;
        if (mountOf(d.filesystem)) otherMounts.push(`${d.name}: ${mountOf(d.filesystem)}`);
        for (const p of d.partitions) if (mountOf(p.filesystem)) otherMounts.push(`${d.name} partition ${p.id}: ${mountOf(p.filesystem)}`);
    }
    return { diskFound: disk !== undefined, partitions, volumeGroups, otherMounts };
}

/** Every difference between what should be in MAAS and what is; empty when they match to the byte. */
export function compareLayout(want: ResolvedLayout, have: ObservedLayout): string[] {
    const d = want.disk.name;
    if (!have.diskFound) return [`disk ${d} is no longer on the machine`];
    const out: string[] = [];
    if (have.partitions.length !== want.partitions.length) out.push(`disk ${d} has ${have.partitions.length} partitions, the layout has ${want.partitions.length}`);
    want.partitions.forEach((w, i) => {
        const h = have.partitions[i];
        if (!h) return;
        const at = `${d} partition ${w.number}`;
        if (h.size !== w.size) out.push(`${at}: size ${h.size} bytes in MAAS, ${w.size} wanted`);
        if (h.fs !== w.fs) out.push(`${at}: filesystem ${h.fs ?? "none"} in MAAS, ${w.fs ?? "none"} wanted`);
        if (h.mount !== w.mount) out.push(`${at}: mounted at ${h.mount ?? "nothing"} in MAAS, ${w.mount ?? "nothing"} wanted`);
        if (h.bootable !== w.bootable) out.push(`${at}: bootable ${h.bootable} in MAAS, ${w.bootable} wanted`);
        if (w.label !== null && h.label !== w.label) out.push(`${at}: label ${h.label ?? "none"} in MAAS, ${w.label} wanted`);
    });
    const extraVgs = have.volumeGroups.filter((h) => !want.volumeGroups.some((w) => w.name === h.name));
    for (const vg of extraVgs) out.push(`volume group ${vg.name} is in MAAS but not in the layout`);
    for (const w of want.volumeGroups) {
        const h = have.volumeGroups.find((x) => x.name === w.name);
        if (!h) {
            out.push(`volume group ${w.name} is missing in MAAS`);
            continue;
        }
        if (h.partitions.join(",") !== w.partitions.join(",")) out.push(`volume group ${w.name}: physical volumes are partitions [${h.partitions}] of ${d} in MAAS, [${w.partitions}] wanted`);
        if (h.size && h.size !== w.size) out.push(`volume group ${w.name}: size ${h.size} bytes in MAAS, ${w.size} expected`);
        for (const hl of h.logicalVolumes) if (!w.logicalVolumes.some((x) => x.name === hl.name)) out.push(`logical volume ${w.name}/${hl.name} is in MAAS but not in the layout`);
        for (const wl of w.logicalVolumes) {
            const hl = h.logicalVolumes.find((x) => x.name === wl.name);
            const at = `logical volume ${w.name}/${wl.name}`;
            if (!hl) {
                out.push(`${at} is missing in MAAS`);
                continue;
            }
            if (hl.size !== wl.size) out.push(`${at}: size ${hl.size} bytes in MAAS, ${wl.size} wanted`);
            if (hl.fs !== wl.fs) out.push(`${at}: filesystem ${hl.fs ?? "none"} in MAAS, ${wl.fs ?? "none"} wanted`);
            if (hl.mount !== wl.mount) out.push(`${at}: mounted at ${hl.mount ?? "nothing"} in MAAS, ${wl.mount ?? "nothing"} wanted`);
        }
    }
    for (const m of have.otherMounts) out.push(`another disk has a filesystem mounted (${m})`);
    return out;
}

/**
 * Whether the block devices of a machine's JSON show the layout (partitions, logical volumes as
 * virtual devices, nothing mounted on other disks). The machine's JSON names volume groups only by
 * id, so membership and sizes of volume groups are not seen here: a refresh reads them
 * (observeLayout) only when this finds a difference.
 */
export function layoutShownBy(want: ResolvedLayout, devices: MaasBlockDeviceLike[]): boolean {
    const disk = devices.find((d) => d.name === want.disk.name && d.type === "physical");
    if (!disk) return false;
    const parts = [...disk.partitions].sort((a, b) => a.id - b.id);
    if (parts.length !== want.partitions.length) return false;
    const sameVolume = (w: { size: number; fs: string | null; mount: string | null }, size: number, fs: MaasFilesystemLike | null | undefined) =>
        w.size === size && w.fs === (fs?.fstype ?? null) && w.mount === mountOf(fs);
    if (!want.partitions.every((w, i) => sameVolume(w, parts[i]!.size, parts[i]!.filesystem) && w.bootable === (parts[i]!.bootable === true))) return false;
    const virtual = devices.filter((d) => d.type === "virtual");
    for (const vg of want.volumeGroups) {
        const ofVg = virtual.filter((d) => d.name.startsWith(`${vg.name}-`));
        if (ofVg.length !== vg.logicalVolumes.length) return false;
        for (const lv of vg.logicalVolumes) {
            const dev = ofVg.find((d) => d.name === `${vg.name}-${lv.name}`);
            if (!dev || !sameVolume(lv, dev.size, dev.filesystem)) return false;
        }
    }
    return observeLayout(want.disk.name, devices, []).otherMounts.length === 0;
}

// ------------------------------------------------------------------------------------- curtin

export interface CurtinEntry {
    id: string;
    type: "disk" | "partition" | "format" | "mount" | "lvm_volgroup" | "lvm_partition";
    [key: string]: unknown;
}

export interface CurtinStorageConfig {
    version: 1;
    config: CurtinEntry[];
}

/**
 * The layout as a curtin storage config, in the shape MAAS renders for deployment (maasserver/storage_layouts
 * → curtin's `storage` section): a disk, its partitions, format and mount entries, volume groups and
 * logical volumes. bios_grub / PReP partitions MAAS adds implicitly are rendered too.
 */
export function renderCurtin(layout: ResolvedLayout): CurtinStorageConfig {
    const config: CurtinEntry[] = [];
    const d = layout.disk.name;
    const disk: CurtinEntry = { id: d, type: "disk", ptable: "gpt", name: d, wipe: "superblock", grub_device: true };
    if (layout.disk.serial) disk.serial = layout.disk.serial;
    else disk.path = `/dev/${d}`;
    config.push(disk);
    let number = 0;
    if (layout.biosGrub || layout.prep) {
        number++;
        config.push({ id: `${d}-part${number}`, type: "partition", device: d, number, size: layout.biosGrub ? `${BIOS_GRUB_SIZE}B` : `${PREP_SIZE}B`, flag: layout.biosGrub ? "bios_grub" : "prep", wipe: "zero" });
    }
    const formatAndMount = (volume: string, fs: string | null, mount: string | null, label: string | null) => {
        if (!fs || fs === "lvm-pv") return;
        const format: CurtinEntry = { id: `${volume}_format`, type: "format", fstype: fs, volume };
        if (label) format.label = label;
        config.push(format);
        if (mount) config.push({ id: `${volume}_mount`, type: "mount", path: mount, device: `${volume}_format` });
    };
    const partIds: string[] = [];
    for (const p of layout.partitions) {
        number++;
        const id = `${d}-part${number}`;
        partIds.push(id);
        const entry: CurtinEntry = { id, type: "partition", device: d, number, size: `${p.size}B`, wipe: "superblock" };
        if (isEfi(p) && layout.bootMethod === "uefi") entry.flag = "boot";
        else if (p.bootable) entry.flag = "boot";
        config.push(entry);
        formatAndMount(id, p.fs, p.mount, p.label);
    }
    for (const vg of layout.volumeGroups) {
        config.push({ id: vg.name, type: "lvm_volgroup", name: vg.name, devices: vg.partitions.map((i) => partIds[i]!) });
        for (const lv of vg.logicalVolumes) {
            const id = `${vg.name}-${lv.name}`;
            config.push({ id, type: "lvm_partition", name: lv.name, volgroup: vg.name, size: `${lv.size}B` });
            formatAndMount(id, lv.fs, lv.mount, null);
        }
    }
    return { version: 1, config };
}
