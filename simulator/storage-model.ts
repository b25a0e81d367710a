// What the storage model says about itself: free space, "used for" texts, volume group sizes, the boot
// disk. Pure functions of a machine's data, shared by the renderers and the storage handlers.
import type { BlockDevice, Filesystem, Machine, Partition, VolumeGroup } from "./model";
import { MiB } from "./util";

// MAAS's PARTITION_ALIGNMENT_SIZE, the partition table overhead and the smallest device (models/partition.py,
// models/partitiontable.py, models/blockdevice.py)
export const ALIGN = 4 * MiB;
export const PT_EXTRA = 5 * MiB; // 4 MiB at the start + 1 MiB at the end
export const EFI_SIZE = 512 * MiB;
export const MIN_SIZE = 4 * MiB;

export const roundDown = (n: number, a = ALIGN): number => Math.floor(n / a) * a;

export function partitionName(bd: BlockDevice, p: Partition): string {
  return `${bd.name}-part${p.index}`;
}

/** Explicit boot disk, else the lowest-id physical disk of at least 512 MiB. */
export function bootDisk(m: Machine): BlockDevice | null {
  if (m.bootDiskId !== null) {
    const b = m.blockDevices.find((x) => x.id === m.bootDiskId);
    if (b) return b;
  }
  return m.blockDevices.filter((b) => b.type === "physical" && b.size >= 512 * MiB).sort((a, b) => a.id - b.id)[0] ?? null;
}

/** amd64 non-UEFI GPT boot disks carry a 1 MiB bios_grub partition MAAS adds itself. */
export function needsBiosGrub(m: Machine, bd: BlockDevice): boolean {
  return bd.ptableType === "GPT" && m.biosBootMethod !== "uefi" && m.architecture.startsWith("amd64") && bootDisk(m)?.id === bd.id;
}

export function ptOverhead(m: Machine, bd: BlockDevice): number {
  return PT_EXTRA + (needsBiosGrub(m, bd) ? MiB : 0);
}

export function bdAvailable(bd: BlockDevice, m?: Machine): number {
  if (bd.filesystem) return 0;
  if (bd.ptableType) {
    const used = bd.partitions.reduce((a, p) => a + p.size, 0);
    const overhead = m ? ptOverhead(m, bd) : PT_EXTRA;
    return Math.max(0, bd.size - overhead - used);
  }
  return bd.size;
}

export function findPartition(m: Machine, id: number): { bd: BlockDevice; p: Partition } | undefined {
  for (const bd of m.blockDevices) for (const p of bd.partitions) if (p.id === id) return { bd, p };
  return undefined;
}

function memberFilesystem(m: Machine, mem: VolumeGroup["members"][number]): Filesystem | null | undefined {
  if (mem.kind === "bd") return m.blockDevices.find((b) => b.id === mem.id)?.filesystem;
  return findPartition(m, mem.id)?.p.filesystem;
}

function fsVg(m: Machine, fs: Filesystem): VolumeGroup | undefined {
  return m.vgs.find((vg) => vg.members.some((mem) => memberFilesystem(m, mem) === fs));
}

function fsText(fs: Filesystem, m: Machine): string {
  if (fs.fstype === "lvm-pv") {
    const vg = fsVg(m, fs);
    return vg ? `LVM volume for ${vg.name}` : "Unused LVM physical volume";
  }
  if (fs.mountPoint) return `${fs.fstype} formatted filesystem mounted at ${fs.mountPoint}`;
  return `Unmounted ${fs.fstype} formatted filesystem`;
}

export function bdUsedFor(m: Machine, bd: BlockDevice): string {
  if (bd.filesystem) return fsText(bd.filesystem, m);
  if (bd.ptableType) {
    const n = bd.partitions.length;
    return `${bd.ptableType} partitioned with ${n} partition${n === 1 ? "" : "s"}`;
  }
  return "Unused";
}

export function partitionUsedFor(m: Machine, p: Partition): string {
  return p.filesystem ? fsText(p.filesystem, m) : "Unused";
}

function memberSize(m: Machine, mem: VolumeGroup["members"][number]): number {
  if (mem.kind === "bd") return m.blockDevices.find((b) => b.id === mem.id)?.size ?? 0;
  return findPartition(m, mem.id)?.p.size ?? 0;
}

export function vgSize(m: Machine, vg: VolumeGroup): number {
  // each physical volume loses one 4 MiB extent to LVM metadata; sizes are whole extents
  return vg.members.reduce((a, mem) => a + roundDown(Math.max(0, memberSize(m, mem) - ALIGN)), 0);
}

export function vgUsed(m: Machine, vg: VolumeGroup): number {
  return m.blockDevices.filter((b) => b.vgId === vg.id).reduce((a, b) => a + b.size, 0);
}

/** Deploy-time checks (models/node.py storage_layout_issues, reduced to what the simulator models). */
export function storageIssues(m: Machine): string[] {
  if (m.blockDevices.filter((b) => b.type === "physical").length === 0) {
    return ["There are currently no storage devices.  Please add a storage device to be able to deploy this node."];
  }
  const issues: string[] = [];
  if (!bootDisk(m)) issues.push("Specify a storage device to be able to deploy this node.");
  const root = m.blockDevices.some((b) => b.filesystem?.mountPoint === "/" || b.partitions.some((p) => p.filesystem?.mountPoint === "/"));
  if (!root) issues.push("Mount the root '/' filesystem to be able to deploy this node.");
  return issues;
}
