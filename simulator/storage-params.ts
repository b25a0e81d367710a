// The storage handlers' shared lookups and checks: finding a device, partition or volume group of a
// machine, the state rules of storage edits, and the parameters of format/mount.
import type { BlockDevice, Filesystem, Machine, Partition, VolumeGroup } from "./model";
import { S } from "./model";
import type { Ctx, SimState } from "./state";
import type { Params } from "./http";
import { badRequest, conflict, fieldErrors, forbidden, notFound } from "./util";
import { findPartition, partitionName } from "./storage-model";
import { newFs } from "./storage-layout";

// FILESYSTEM_FORMAT_TYPE_CHOICES (maasserver/enum.py)
const FSTYPES = ["ext2", "ext4", "xfs", "fat32", "vfat", "swap", "ramfs", "tmpfs", "btrfs", "zfsroot"];
const NO_MOUNTPOINT_FS = ["swap"];

export interface StorageCtx {
  st: SimState;
  ctx: Ctx;
  p: Params;
  m: Machine;
}

export function getBd(m: Machine, id: string): BlockDevice {
  const bd = m.blockDevices.find((b) => String(b.id) === id || b.name === id);
  if (!bd) throw notFound("BlockDevice");
  return bd;
}

export function getPart(bd: BlockDevice, id: string): Partition {
  const p = bd.partitions.find((x) => String(x.id) === id || partitionName(bd, x) === id);
  if (!p) throw notFound("Partition");
  return p;
}

export function getVg(m: Machine, id: string): VolumeGroup {
  const vg = m.vgs.find((v) => String(v.id) === id || v.name === id);
  if (!vg) throw notFound("VolumeGroup");
  return vg;
}

export function requireReady(m: Machine, what: string): void {
  if (m.status !== S.READY) throw conflict(`Cannot ${what} because the node is not Ready.`);
}

/**
 * format/mount/unformat/unmount, after the edit permission: READY or ALLOCATED, and on a READY machine only
 * a superuser (api/blockdevices.py and api/partitions.py; the partition texts say "node").
 */
export function requireFormatState(m: Machine, ctx: Ctx, what: string, kind: "block device" | "partition"): void {
  const noun = kind === "partition" ? "node" : "machine";
  if (m.status !== S.READY && m.status !== S.ALLOCATED) throw conflict(`Cannot ${what} ${kind} because the ${noun} is not Ready or Allocated.`);
  if (m.status === S.READY && !ctx.user?.isAdmin) throw forbidden(`Cannot ${what} ${kind} because you don't have the permissions on a Ready ${noun}.`);
}

export function checkFstype(p: Params): string {
  const fstype = p.get("fstype");
  if (!fstype) throw fieldErrors({ fstype: ["This field is required."] });
  if (!FSTYPES.includes(fstype)) throw fieldErrors({ fstype: [`Select a valid choice. ${fstype} is not one of the available choices.`] });
  return fstype;
}

export function doMount(p: Params, fs: Filesystem | null): void {
  if (!fs) throw badRequest("Cannot mount an unformatted partition or block device.");
  if (fs.fstype === "lvm-pv") throw badRequest("Cannot mount a filesystem that is part of a volume group.");
  let mp = p.get("mount_point");
  if (NO_MOUNTPOINT_FS.includes(fs.fstype)) mp = "none";
  else if (!mp) throw fieldErrors({ mount_point: ["This field is required."] });
  else if (!mp.startsWith("/")) throw fieldErrors({ mount_point: ["Enter a valid absolute path."] });
  fs.mountPoint = mp;
  fs.mountOptions = p.get("mount_options") ?? null;
}

export function unmount(fs: Filesystem | null, kind: string): void {
  if (!fs) throw badRequest(`${kind} is not formatted.`);
  if (!fs.mountPoint) throw badRequest("Filesystem is already unmounted.");
  fs.mountPoint = null;
  fs.mountOptions = null;
}

export function unformatCheck(fs: Filesystem | null, kind: string): void {
  if (!fs) throw badRequest(`${kind} is not formatted.`);
  if (fs.mountPoint) throw badRequest(`Filesystem is mounted and cannot be unformatted. Unmount the filesystem before unformatting the ${kind.toLowerCase()}.`);
  if (fs.fstype === "lvm-pv") throw badRequest(`Filesystem is part of a volume group, and cannot be unformatted. Remove ${kind.toLowerCase()} from volume group before unformatting the ${kind.toLowerCase()}.`);
}

/** A tag add/remove on a device or partition's tag list. */
export function editTags(p: Params, tags: string[], add: boolean, check: () => void): string[] {
  const tag = p.get("tag");
  if (!tag) throw fieldErrors({ tag: ["This field is required."] });
  check();
  if (add) return tags.includes(tag) ? tags : [...tags, tag];
  return tags.filter((t) => t !== tag);
}

/** Block devices and partitions named by id or name that may join (or leave) a volume group. */
export function resolveMembers(m: Machine, bds: string[], parts: string[], forRemoval = false): VolumeGroup["members"] {
  const out: VolumeGroup["members"] = [];
  const errs: Record<string, string[]> = {};
  for (const x of bds) {
    const bd = m.blockDevices.find((b) => String(b.id) === x || b.name === x);
    const ok = bd && (forRemoval || (!bd.filesystem && !bd.ptableType && bd.vgId === null));
    if (!ok) (errs.block_devices ??= []).push(`Select a valid choice. ${x} is not one of the available choices.`);
    else out.push({ kind: "bd", id: bd!.id });
  }
  for (const x of parts) {
    let f: { bd: BlockDevice; p: Partition } | undefined;
    for (const bd of m.blockDevices) for (const p of bd.partitions) if (String(p.id) === x || partitionName(bd, p) === x) f = { bd, p };
    const ok = f && (forRemoval || !f.p.filesystem);
    if (!ok) (errs.partitions ??= []).push(`Select a valid choice. ${x} is not one of the available choices.`);
    else out.push({ kind: "part", id: f!.p.id });
  }
  if (Object.keys(errs).length) throw fieldErrors(errs);
  return out;
}

export function setMemberFs(m: Machine, mem: VolumeGroup["members"][number], fs: Filesystem | null): void {
  if (mem.kind === "bd") {
    const b = m.blockDevices.find((x) => x.id === mem.id);
    if (b) b.filesystem = fs;
  } else {
    const f = findPartition(m, mem.id);
    if (f) f.p.filesystem = fs;
  }
}

export function addMembers(st: SimState, m: Machine, vg: VolumeGroup, members: VolumeGroup["members"]): void {
  for (const mem of members) {
    vg.members.push(mem);
    setMemberFs(m, mem, newFs(st, "lvm-pv"));
  }
}
