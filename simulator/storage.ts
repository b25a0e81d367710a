import type { BlockDevice, Filesystem, Machine, Partition, VolumeGroup } from "./model";
import { S } from "./model";
import type { SimState, Ctx } from "./state";
import type { Params, SimResponse } from "./http";
import { jsonRes, textRes } from "./http";
import { ApiError, MiB, badRequest, conflict, fieldErrors, forbidden, notFound, parseSize, stringBool, djangoBool, uuid4 } from "./util";
import { renderBlockDevice, renderPartition, renderVg, bootDisk } from "./render";

export const ALIGN = 4 * MiB;
export const PT_EXTRA = 5 * MiB; // 4 MiB at the start + 1 MiB at the end
export const EFI_SIZE = 512 * MiB;
export const MIN_SIZE = 4 * MiB;
const FSTYPES = ["ext2", "ext4", "xfs", "fat32", "vfat", "swap", "ramfs", "tmpfs", "btrfs", "zfsroot"];
const NO_MOUNTPOINT_FS = ["swap"];

const roundDown = (n: number, a = ALIGN) => Math.floor(n / a) * a;

export function partitionName(bd: BlockDevice, p: Partition): string {
  return `${bd.name}-part${p.index}`;
}

export function ptOverhead(m: Machine, bd: BlockDevice): number {
  let extra = PT_EXTRA;
  // bios_grub partition reserved on amd64 non-UEFI GPT boot disks
  if (bd.ptableType === "GPT" && m.biosBootMethod !== "uefi" && m.architecture.startsWith("amd64") && bootDisk(m)?.id === bd.id) extra += MiB;
  return extra;
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

function fsText(fs: Filesystem, m: Machine): string {
  if (fs.fstype === "lvm-pv") {
    const vg = m.vgs.find((v) => v.members.some(() => true) && fsVg(m, fs) === v);
    return vg ? `LVM volume for ${vg.name}` : "Unused LVM physical volume";
  }
  if (fs.mountPoint) return `${fs.fstype} formatted filesystem mounted at ${fs.mountPoint}`;
  return `Unmounted ${fs.fstype} formatted filesystem`;
}

function fsVg(m: Machine, fs: Filesystem): VolumeGroup | undefined {
  for (const vg of m.vgs)
    for (const mem of vg.members) {
      if (mem.kind === "bd" && m.blockDevices.find((b) => b.id === mem.id)?.filesystem === fs) return vg;
      if (mem.kind === "part" && findPartition(m, mem.id)?.p.filesystem === fs) return vg;
    }
  return undefined;
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

export function findPartition(m: Machine, id: number): { bd: BlockDevice; p: Partition } | undefined {
  for (const bd of m.blockDevices) for (const p of bd.partitions) if (p.id === id) return { bd, p };
  return undefined;
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

// ---------------------------------------------------------------- state rules

export function requireReady(m: Machine, what: string): void {
  if (m.status !== S.READY) throw conflict(`Cannot ${what} because the node is not Ready.`);
}

function requireAdmin(ctx: Ctx): void {
  if (!ctx.user?.isAdmin) throw forbidden("This method is reserved for admin users.");
}

/** format/mount/unformat/unmount: READY (admin) or ALLOCATED (owner). */
function requireFormatState(m: Machine, ctx: Ctx, what: string, kind: string): void {
  if (m.status === S.READY) {
    if (!ctx.user?.isAdmin) throw forbidden(`Cannot ${what} ${kind} because you don't have the permissions on a Ready machine.`);
    return;
  }
  if (m.status === S.ALLOCATED) {
    if (m.locked) throw forbidden();
    if (m.owner !== ctx.user?.username && !ctx.user?.isAdmin) throw forbidden();
    return;
  }
  throw conflict(`Cannot ${what} ${kind} because the machine is not Ready or Allocated.`);
}

// ---------------------------------------------------------------- operations

export function newFs(st: SimState, fstype: string, uuid?: string, label?: string | null): Filesystem {
  return { fstype, label: label ?? null, uuid: uuid ?? uuid4(st.r), mountPoint: null, mountOptions: null };
}

export function addPartition(st: SimState, m: Machine, bd: BlockDevice, size: number | null, bootable = false, uuid?: string): Partition {
  if (!bd.ptableType) {
    bd.ptableType = m.biosBootMethod === "uefi" || bd.size >= 2 * 1024 ** 4 ? "GPT" : "GPT";
    bd.partitions = [];
  }
  const avail = roundDown(bdAvailable(bd, m));
  let sz = size === null ? avail : roundDown(size);
  if (sz < MIN_SIZE) sz = size === null ? sz : MIN_SIZE;
  if (sz > avail || sz <= 0) throw fieldErrors({ size: ["Partition cannot be saved; not enough free space on the block device."] });
  const startIdx = bd.ptableType === "GPT" && m.biosBootMethod !== "uefi" && m.architecture.startsWith("amd64") && bootDisk(m)?.id === bd.id ? 2 : 1;
  const index = bd.partitions.length ? Math.max(...bd.partitions.map((p) => p.index)) + 1 : startIdx;
  const p: Partition = { id: st.nextId("partition"), uuid: uuid ?? uuid4(st.r), index, size: sz, bootable, filesystem: null, tags: [] };
  bd.partitions.push(p);
  return p;
}

export function wipeStorage(st: SimState, m: Machine): void {
  m.vgs = [];
  m.blockDevices = m.blockDevices.filter((b) => b.type === "physical");
  for (const b of m.blockDevices) {
    b.filesystem = null;
    b.ptableType = null;
    b.partitions = [];
  }
}

export function applyLayout(st: SimState, m: Machine, layout: string, p?: Params): void {
  const opts = p ?? (new Map() as unknown as Params);
  const get = (k: string) => (p ? p.get(k) : undefined);
  void opts;
  let boot = bootDisk(m);
  const rootDevice = get("root_device");
  if (rootDevice) {
    const b = m.blockDevices.find((x) => x.type === "physical" && (x.name === rootDevice || String(x.id) === rootDevice));
    if (!b) throw fieldErrors({ root_device: [`Select a valid choice. ${rootDevice} is not one of the available choices.`] });
    boot = b;
  }
  if (layout !== "blank" && !boot) throw badRequest("Machine is missing a boot disk; no storage layout can be applied.");
  const sizeParam = (k: string, total: number): number | null => {
    const v = get(k);
    if (v === undefined || v === "") return null;
    if (v.trim().endsWith("%")) return Math.floor((total * parseFloat(v)) / 100);
    return parseSize(v, k);
  };
  wipeStorage(st, m);
  if (layout === "blank") return;
  const disk = boot!;
  if (m.biosBootMethod === "uefi") {
    const efi = addPartition(st, m, disk, EFI_SIZE, true);
    efi.filesystem = newFs(st, "fat32", undefined, "efi");
    efi.filesystem.mountPoint = "/boot/efi";
  } else {
    disk.ptableType = "GPT";
  }
  const bootSize = sizeParam("boot_size", disk.size);
  if (bootSize) {
    const bp = addPartition(st, m, disk, bootSize);
    bp.filesystem = newFs(st, "ext4", undefined, "boot");
    bp.filesystem.mountPoint = "/boot";
  }
  const rootSize = sizeParam("root_size", disk.size);
  const rp = addPartition(st, m, disk, rootSize);
  if (layout === "flat") {
    rp.filesystem = newFs(st, "ext4", undefined, "root");
    rp.filesystem.mountPoint = "/";
  } else if (layout === "lvm") {
    rp.filesystem = newFs(st, "lvm-pv");
    const vg: VolumeGroup = { id: st.nextId("vg"), name: get("vg_name") || "vgroot", uuid: uuid4(st.r), members: [{ kind: "part", id: rp.id }] };
    m.vgs.push(vg);
    const avail = vgSize(m, vg);
    const lvSize = sizeParam("lv_size", avail) ?? avail;
    if (lvSize > avail) throw badRequest(`Failed to configure storage layout 'lvm': Size is too large.`);
    const lv = createLv(st, m, vg, get("lv_name") || "lvroot", roundDown(lvSize));
    lv.filesystem = newFs(st, "ext4", undefined, "root");
    lv.filesystem.mountPoint = "/";
  }
}

function createLv(st: SimState, m: Machine, vg: VolumeGroup, name: string, size: number, uuid?: string): BlockDevice {
  const bd: BlockDevice = {
    id: st.nextId("blockdevice"),
    name: `${vg.name}-${name}`,
    type: "virtual",
    model: null,
    serial: null,
    idPath: null,
    uuid: uuid ?? uuid4(st.r),
    size,
    blockSize: 4096,
    tags: [],
    filesystem: null,
    ptableType: null,
    partitions: [],
    vgId: vg.id,
  };
  m.blockDevices.push(bd);
  return bd;
}

// ---------------------------------------------------------------- handlers

export interface StorageCtx {
  st: SimState;
  ctx: Ctx;
  p: Params;
  m: Machine;
}

function getBd(m: Machine, id: string): BlockDevice {
  const bd = m.blockDevices.find((b) => String(b.id) === id || b.name === id);
  if (!bd) throw notFound("BlockDevice");
  return bd;
}

function getPart(m: Machine, bd: BlockDevice, id: string): Partition {
  const p = bd.partitions.find((x) => String(x.id) === id || partitionName(bd, x) === id);
  if (!p) throw notFound("Partition");
  return p;
}

function checkFstype(p: Params): string {
  const fstype = p.get("fstype");
  if (!fstype) throw fieldErrors({ fstype: ["This field is required."] });
  if (!FSTYPES.includes(fstype)) throw fieldErrors({ fstype: [`Select a valid choice. ${fstype} is not one of the available choices.`] });
  return fstype;
}

function doMount(p: Params, fs: Filesystem | null): void {
  if (!fs) throw badRequest("Cannot mount an unformatted partition or block device.");
  if (fs.fstype === "lvm-pv") throw badRequest("Cannot mount a filesystem that is part of a volume group.");
  let mp = p.get("mount_point");
  if (NO_MOUNTPOINT_FS.includes(fs.fstype)) mp = "none";
  else if (!mp) throw fieldErrors({ mount_point: ["This field is required."] });
  else if (!mp.startsWith("/")) throw fieldErrors({ mount_point: ["Enter a valid absolute path."] });
  fs.mountPoint = mp;
  fs.mountOptions = p.get("mount_options") ?? null;
}

function unformatCheck(fs: Filesystem | null, kind: string): void {
  if (!fs) throw badRequest(`${kind} is not formatted.`);
  if (fs.mountPoint) throw badRequest(`Filesystem is mounted and cannot be unformatted. Unmount the filesystem before unformatting the ${kind.toLowerCase()}.`);
  if (fs.fstype === "lvm-pv") throw badRequest(`Filesystem is part of a volume group, and cannot be unformatted. Remove ${kind.toLowerCase()} from volume group before unformatting the ${kind.toLowerCase()}.`);
}

export const storageHandlers = {
  listBd(c: StorageCtx): SimResponse {
    return jsonRes(c.m.blockDevices.map((b) => renderBlockDevice(c.st, c.m, b)));
  },
  createBd(c: StorageCtx): SimResponse {
    requireAdmin(c.ctx);
    requireReady(c.m, "create block device");
    const errs: Record<string, string[]> = {};
    const name = c.p.get("name");
    if (!name) errs.name = ["This field is required."];
    if (!c.p.get("size")) errs.size = ["This field is required."];
    if (!c.p.get("block_size")) errs.block_size = ["This field is required."];
    if (!c.p.get("id_path") && !(c.p.get("model") && c.p.get("serial"))) errs.__all__ = ["serial/model are required if id_path is not provided."];
    if (Object.keys(errs).length) throw fieldErrors(errs);
    const size = parseSize(c.p.get("size")!);
    if (size < MIN_SIZE) throw fieldErrors({ size: [`Ensure this value is greater than or equal to ${MIN_SIZE}.`] });
    const bd: BlockDevice = {
      id: c.st.nextId("blockdevice"),
      name: name!,
      type: "physical",
      model: c.p.get("model") ?? "",
      serial: c.p.get("serial") ?? "",
      idPath: c.p.get("id_path") ?? null,
      uuid: null,
      size,
      blockSize: Number(c.p.get("block_size")),
      tags: [],
      filesystem: null,
      ptableType: null,
      partitions: [],
      vgId: null,
    };
    c.m.blockDevices.push(bd);
    return jsonRes(renderBlockDevice(c.st, c.m, bd));
  },
  readBd(c: StorageCtx, dev: string): SimResponse {
    return jsonRes(renderBlockDevice(c.st, c.m, getBd(c.m, dev)));
  },
  updateBd(c: StorageCtx, dev: string): SimResponse {
    requireAdmin(c.ctx);
    const bd = getBd(c.m, dev);
    if (c.m.status === S.DEPLOYED && bd.type === "physical") {
      for (const k of ["name", "model", "serial", "id_path"]) if (c.p.has(k)) (bd as unknown as Record<string, unknown>)[k === "id_path" ? "idPath" : k] = c.p.get(k);
      return jsonRes(renderBlockDevice(c.st, c.m, bd));
    }
    requireReady(c.m, "update block device");
    if (c.p.has("name")) bd.name = c.p.get("name")!;
    if (bd.type === "physical") {
      if (c.p.has("model")) bd.model = c.p.get("model")!;
      if (c.p.has("serial")) bd.serial = c.p.get("serial")!;
      if (c.p.has("id_path")) bd.idPath = c.p.get("id_path")!;
      if (c.p.has("block_size")) bd.blockSize = Number(c.p.get("block_size"));
      if (c.p.has("size")) bd.size = parseSize(c.p.get("size")!);
    } else {
      if (c.p.has("uuid")) bd.uuid = c.p.get("uuid")!;
      if (c.p.has("size") && bd.vgId !== null) bd.size = roundDown(parseSize(c.p.get("size")!));
      if (c.p.has("name") && bd.vgId !== null) {
        const vg = c.m.vgs.find((v) => v.id === bd.vgId)!;
        bd.name = `${vg.name}-${c.p.get("name")}`;
      }
    }
    return jsonRes(renderBlockDevice(c.st, c.m, bd));
  },
  deleteBd(c: StorageCtx, dev: string): SimResponse {
    requireAdmin(c.ctx);
    const bd = getBd(c.m, dev);
    requireReady(c.m, "delete block device");
    if (bd.filesystem?.fstype === "lvm-pv") throw badRequest("Cannot delete block device because it's part of a volume group.");
    c.m.blockDevices = c.m.blockDevices.filter((b) => b !== bd);
    if (c.m.bootDiskId === bd.id) c.m.bootDiskId = null;
    return { status: 204, body: "", contentType: "text/plain; charset=utf-8" };
  },
  formatBd(c: StorageCtx, dev: string): SimResponse {
    const bd = getBd(c.m, dev);
    requireFormatState(c.m, c.ctx, "format", "block device");
    const fstype = checkFstype(c.p);
    if (bd.ptableType) throw badRequest("Cannot format block device with a partition table.");
    if (bd.filesystem?.fstype === "lvm-pv") throw badRequest("Cannot format a block device that is part of a volume group.");
    if (bd.filesystem?.mountPoint) throw badRequest("Filesystem is mounted and cannot be re-formatted. Unmount the filesystem first.");
    bd.filesystem = newFs(c.st, fstype, c.p.get("uuid"), c.p.get("label"));
    return jsonRes(renderBlockDevice(c.st, c.m, bd));
  },
  unformatBd(c: StorageCtx, dev: string): SimResponse {
    const bd = getBd(c.m, dev);
    requireFormatState(c.m, c.ctx, "unformat", "block device");
    unformatCheck(bd.filesystem, "Block device");
    bd.filesystem = null;
    return jsonRes(renderBlockDevice(c.st, c.m, bd));
  },
  mountBd(c: StorageCtx, dev: string): SimResponse {
    const bd = getBd(c.m, dev);
    requireFormatState(c.m, c.ctx, "mount", "block device");
    doMount(c.p, bd.filesystem);
    return jsonRes(renderBlockDevice(c.st, c.m, bd));
  },
  unmountBd(c: StorageCtx, dev: string): SimResponse {
    const bd = getBd(c.m, dev);
    requireFormatState(c.m, c.ctx, "unmount", "block device");
    if (!bd.filesystem) throw badRequest("Block device is not formatted.");
    if (!bd.filesystem.mountPoint) throw badRequest("Filesystem is already unmounted.");
    bd.filesystem.mountPoint = null;
    bd.filesystem.mountOptions = null;
    return jsonRes(renderBlockDevice(c.st, c.m, bd));
  },
  setBootDisk(c: StorageCtx, dev: string): SimResponse {
    requireAdmin(c.ctx);
    const bd = getBd(c.m, dev);
    if (bd.type !== "physical") throw badRequest("Cannot set a virtual block device as the boot disk.");
    requireReady(c.m, "set as boot disk");
    c.m.bootDiskId = bd.id;
    return textRes(200, "OK");
  },
  tagBd(c: StorageCtx, dev: string, add: boolean): SimResponse {
    requireAdmin(c.ctx);
    const bd = getBd(c.m, dev);
    const tag = c.p.get("tag");
    if (!tag) throw fieldErrors({ tag: ["This field is required."] });
    requireReady(c.m, add ? "add tag" : "remove tag");
    if (add && !bd.tags.includes(tag)) bd.tags.push(tag);
    if (!add) bd.tags = bd.tags.filter((t) => t !== tag);
    return jsonRes(renderBlockDevice(c.st, c.m, bd));
  },

  // partitions
  listParts(c: StorageCtx, dev: string): SimResponse {
    const bd = getBd(c.m, dev);
    return jsonRes(bd.partitions.map((p) => renderPartition(c.st, c.m, bd, p)));
  },
  createPart(c: StorageCtx, dev: string): SimResponse {
    requireAdmin(c.ctx);
    const bd = getBd(c.m, dev);
    requireReady(c.m, "create partition");
    if (bd.vgId !== null) throw badRequest("Cannot create a partition table on a logical volume.");
    if (bd.filesystem) throw badRequest("Cannot create a partition on a block device that is formatted or part of a volume group.");
    let size: number | null = null;
    const sv = c.p.get("size");
    if (sv !== undefined && sv !== "") {
      size = parseSize(sv);
      if (size < MIN_SIZE) throw fieldErrors({ size: [`Ensure this value is greater than or equal to ${MIN_SIZE}.`] });
      if (size > bd.size) throw fieldErrors({ size: [`Ensure this value is less than or equal to ${bd.size}.`] });
    }
    const part = addPartition(c.st, c.m, bd, size, djangoBool(c.p.get("bootable")), c.p.get("uuid"));
    c.st.emit("partition-created", c.m, c.ctx);
    return jsonRes(renderPartition(c.st, c.m, bd, part));
  },
  readPart(c: StorageCtx, dev: string, id: string): SimResponse {
    const bd = getBd(c.m, dev);
    return jsonRes(renderPartition(c.st, c.m, bd, getPart(c.m, bd, id)));
  },
  deletePart(c: StorageCtx, dev: string, id: string): SimResponse {
    requireAdmin(c.ctx);
    const bd = getBd(c.m, dev);
    const part = getPart(c.m, bd, id);
    requireReady(c.m, "delete partition");
    if (part.filesystem?.fstype === "lvm-pv" && c.m.vgs.some((v) => v.members.some((x) => x.kind === "part" && x.id === part.id)))
      throw badRequest("Cannot delete partition because it's part of a volume group.");
    bd.partitions = bd.partitions.filter((p) => p !== part);
    if (bd.partitions.length === 0) bd.ptableType = null;
    return { status: 204, body: "", contentType: "text/plain; charset=utf-8" };
  },
  formatPart(c: StorageCtx, dev: string, id: string): SimResponse {
    const bd = getBd(c.m, dev);
    const part = getPart(c.m, bd, id);
    requireFormatState(c.m, c.ctx, "format", "partition");
    const fstype = checkFstype(c.p);
    if (part.filesystem?.fstype === "lvm-pv") throw badRequest("Cannot format a partition that is part of a volume group.");
    if (part.filesystem?.mountPoint) throw badRequest("Filesystem is mounted and cannot be re-formatted. Unmount the filesystem first.");
    part.filesystem = newFs(c.st, fstype, c.p.get("uuid"), c.p.get("label"));
    return jsonRes(renderPartition(c.st, c.m, bd, part));
  },
  unformatPart(c: StorageCtx, dev: string, id: string): SimResponse {
    const bd = getBd(c.m, dev);
    const part = getPart(c.m, bd, id);
    requireFormatState(c.m, c.ctx, "unformat", "partition");
    unformatCheck(part.filesystem, "Partition");
    part.filesystem = null;
    return jsonRes(renderPartition(c.st, c.m, bd, part));
  },
  mountPart(c: StorageCtx, dev: string, id: string): SimResponse {
    const bd = getBd(c.m, dev);
    const part = getPart(c.m, bd, id);
    requireFormatState(c.m, c.ctx, "mount", "partition");
    doMount(c.p, part.filesystem);
    return jsonRes(renderPartition(c.st, c.m, bd, part));
  },
  unmountPart(c: StorageCtx, dev: string, id: string): SimResponse {
    const bd = getBd(c.m, dev);
    const part = getPart(c.m, bd, id);
    requireFormatState(c.m, c.ctx, "unmount", "partition");
    if (!part.filesystem) throw badRequest("Partition is not formatted.");
    if (!part.filesystem.mountPoint) throw badRequest("Filesystem is already unmounted.");
    part.filesystem.mountPoint = null;
    part.filesystem.mountOptions = null;
    return jsonRes(renderPartition(c.st, c.m, bd, part));
  },
  tagPart(c: StorageCtx, dev: string, id: string, add: boolean): SimResponse {
    requireAdmin(c.ctx);
    const bd = getBd(c.m, dev);
    const part = getPart(c.m, bd, id);
    const tag = c.p.get("tag");
    if (!tag) throw fieldErrors({ tag: ["This field is required."] });
    requireReady(c.m, add ? "add tag" : "remove tag");
    if (add && !part.tags.includes(tag)) part.tags.push(tag);
    if (!add) part.tags = part.tags.filter((t) => t !== tag);
    return jsonRes(renderPartition(c.st, c.m, bd, part));
  },

  // volume groups
  listVgs(c: StorageCtx): SimResponse {
    return jsonRes(c.m.vgs.map((v) => renderVg(c.st, c.m, v)));
  },
  createVg(c: StorageCtx): SimResponse {
    requireAdmin(c.ctx);
    requireReady(c.m, "create volume group");
    const name = c.p.get("name");
    if (!name) throw fieldErrors({ name: ["This field is required."] });
    if (c.m.vgs.some((v) => v.name === name)) throw fieldErrors({ name: ["Volume group with this name already exists."] });
    const members = resolveMembers(c.m, c.p.getAll("block_devices"), c.p.getAll("partitions"));
    if (members.length === 0) throw fieldErrors({ __all__: ["At least one valid block device or partition is required."] });
    const vg: VolumeGroup = { id: c.st.nextId("vg"), name, uuid: c.p.get("uuid") ?? uuid4(c.st.r), members: [] };
    addMembers(c.st, c.m, vg, members);
    c.m.vgs.push(vg);
    return jsonRes(renderVg(c.st, c.m, vg));
  },
  readVg(c: StorageCtx, id: string): SimResponse {
    return jsonRes(renderVg(c.st, c.m, getVg(c.m, id)));
  },
  updateVg(c: StorageCtx, id: string): SimResponse {
    requireAdmin(c.ctx);
    const vg = getVg(c.m, id);
    requireReady(c.m, "update volume group");
    if (c.p.has("name")) {
      const old = vg.name;
      vg.name = c.p.get("name")!;
      for (const b of c.m.blockDevices) if (b.vgId === vg.id) b.name = vg.name + b.name.slice(old.length);
    }
    if (c.p.has("uuid")) vg.uuid = c.p.get("uuid")!;
    addMembers(c.st, c.m, vg, resolveMembers(c.m, c.p.getAll("add_block_devices"), c.p.getAll("add_partitions")));
    for (const rem of resolveMembers(c.m, c.p.getAll("remove_block_devices"), c.p.getAll("remove_partitions"), true)) {
      vg.members = vg.members.filter((x) => !(x.kind === rem.kind && x.id === rem.id));
      setMemberFs(c.m, rem, null);
    }
    return jsonRes(renderVg(c.st, c.m, vg));
  },
  deleteVg(c: StorageCtx, id: string): SimResponse {
    requireAdmin(c.ctx);
    const vg = getVg(c.m, id);
    requireReady(c.m, "delete volume group");
    for (const mem of vg.members) setMemberFs(c.m, mem, null);
    c.m.blockDevices = c.m.blockDevices.filter((b) => b.vgId !== vg.id);
    c.m.vgs = c.m.vgs.filter((v) => v !== vg);
    return { status: 204, body: "", contentType: "text/plain; charset=utf-8" };
  },
  createLv(c: StorageCtx, id: string): SimResponse {
    requireAdmin(c.ctx);
    const vg = getVg(c.m, id);
    requireReady(c.m, "create logical volume");
    const name = c.p.get("name");
    if (!name) throw fieldErrors({ name: ["This field is required."] });
    const avail = vgSize(c.m, vg) - vgUsed(c.m, vg);
    let size = avail;
    const sv = c.p.get("size");
    if (sv !== undefined && sv !== "") {
      size = parseSize(sv);
      if (size < MIN_SIZE) throw fieldErrors({ size: [`Ensure this value is greater than or equal to ${MIN_SIZE}.`] });
      if (size > avail) throw fieldErrors({ size: [`Ensure this value is less than or equal to ${avail}.`] });
    }
    if (size < MIN_SIZE) throw fieldErrors({ __all__: ["Volume group (" + vg.name + ") cannot hold any more logical volumes, because it doesn't have enough free space."] });
    if (c.m.blockDevices.some((b) => b.name === `${vg.name}-${name}`)) throw fieldErrors({ name: ["Logical volume with this name already exists."] });
    const lv = createLv(c.st, c.m, vg, name, roundDown(size), c.p.get("uuid"));
    return jsonRes(renderBlockDevice(c.st, c.m, lv));
  },
  deleteLv(c: StorageCtx, id: string): SimResponse {
    requireAdmin(c.ctx);
    const vg = getVg(c.m, id);
    requireReady(c.m, "delete logical volume");
    const lvId = c.p.get("id");
    if (!lvId) throw fieldErrors({ id: ["This field is required."] });
    c.m.blockDevices = c.m.blockDevices.filter((b) => !(b.vgId === vg.id && String(b.id) === lvId));
    return { status: 204, body: "", contentType: "text/plain; charset=utf-8" };
  },
};

function getVg(m: Machine, id: string): VolumeGroup {
  const vg = m.vgs.find((v) => String(v.id) === id || v.name === id);
  if (!vg) throw notFound("VolumeGroup");
  return vg;
}

function resolveMembers(m: Machine, bds: string[], parts: string[], forRemoval = false): VolumeGroup["members"] {
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

function setMemberFs(m: Machine, mem: VolumeGroup["members"][number], fs: Filesystem | null): void {
  if (mem.kind === "bd") {
    const b = m.blockDevices.find((x) => x.id === mem.id);
    if (b) b.filesystem = fs;
  } else {
    const f = findPartition(m, mem.id);
    if (f) f.p.filesystem = fs;
  }
}

function addMembers(st: SimState, m: Machine, vg: VolumeGroup, members: VolumeGroup["members"]): void {
  for (const mem of members) {
    vg.members.push(mem);
    setMemberFs(m, mem, newFs(st, "lvm-pv"));
  }
}

export function storageIssues(m: Machine): string[] {
  const issues: string[] = [];
  if (m.blockDevices.filter((b) => b.type === "physical").length === 0) {
    return ["There are currently no storage devices.  Please add a storage device to be able to deploy this node."];
  }
  if (!bootDisk(m)) issues.push("Specify a storage device to be able to deploy this node.");
  let root = false;
  for (const b of m.blockDevices) {
    if (b.filesystem?.mountPoint === "/") root = true;
    for (const p of b.partitions) if (p.filesystem?.mountPoint === "/") root = true;
  }
  if (!root) issues.push("Mount the root '/' filesystem to be able to deploy this node.");
  return issues;
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
void stringBool;
