// Building storage: filesystems, partitions, logical volumes, and the storage layouts MAAS applies
// (storage_layouts.py: flat, lvm, blank).
import type { BlockDevice, Filesystem, Machine, Partition, VolumeGroup } from "./model";
import type { SimState } from "./state";
import type { Params } from "./http";
import { badRequest, fieldErrors, parseSize, uuid4 } from "./util";
import { EFI_SIZE, MIN_SIZE, bdAvailable, bootDisk, needsBiosGrub, roundDown, vgSize } from "./storage-model";

export function newFs(st: SimState, fstype: string, uuid?: string, label?: string | null): Filesystem {
  return { fstype, label: label ?? null, uuid: uuid ?? uuid4(st.r), mountPoint: null, mountOptions: null };
}

function mountedFs(st: SimState, fstype: string, label: string, mountPoint: string): Filesystem {
  return { ...newFs(st, fstype, undefined, label), mountPoint };
}

export function addPartition(st: SimState, m: Machine, bd: BlockDevice, size: number | null, bootable = false, uuid?: string): Partition {
  if (!bd.ptableType) {
    bd.ptableType = "GPT";
    bd.partitions = [];
  }
  const avail = roundDown(bdAvailable(bd, m));
  let sz = size === null ? avail : roundDown(size);
  if (sz < MIN_SIZE) sz = size === null ? sz : MIN_SIZE;
  if (sz > avail || sz <= 0) throw fieldErrors({ size: ["Partition cannot be saved; not enough free space on the block device."] });
  // the bios_grub partition, when needed, takes number 1
  const startIdx = needsBiosGrub(m, bd) ? 2 : 1;
  const index = bd.partitions.length ? Math.max(...bd.partitions.map((p) => p.index)) + 1 : startIdx;
  const p: Partition = { id: st.nextId("partition"), uuid: uuid ?? uuid4(st.r), index, size: sz, bootable, filesystem: null, tags: [] };
  bd.partitions.push(p);
  return p;
}

export function createLv(st: SimState, m: Machine, vg: VolumeGroup, name: string, size: number, uuid?: string): BlockDevice {
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

export function wipeStorage(m: Machine): void {
  m.vgs = [];
  m.blockDevices = m.blockDevices.filter((b) => b.type === "physical");
  for (const b of m.blockDevices) {
    b.filesystem = null;
    b.ptableType = null;
    b.partitions = [];
  }
}

function layoutDisk(m: Machine, rootDevice: string | undefined): BlockDevice | null {
  if (!rootDevice) return bootDisk(m);
  const b = m.blockDevices.find((x) => x.type === "physical" && (x.name === rootDevice || String(x.id) === rootDevice));
  if (!b) throw fieldErrors({ root_device: [`Select a valid choice. ${rootDevice} is not one of the available choices.`] });
  return b;
}

/** A size parameter of a layout: bytes, an SI suffix or a percentage of `total`. */
function layoutSize(p: Params | undefined, key: string, total: number): number | null {
  const v = p?.get(key);
  if (v === undefined || v === "") return null;
  if (v.trim().endsWith("%")) return Math.floor((total * parseFloat(v)) / 100);
  return parseSize(v, key);
}

function addLvmRoot(st: SimState, m: Machine, pv: Partition, p: Params | undefined): void {
  pv.filesystem = newFs(st, "lvm-pv");
  const vg: VolumeGroup = { id: st.nextId("vg"), name: p?.get("vg_name") || "vgroot", uuid: uuid4(st.r), members: [{ kind: "part", id: pv.id }] };
  m.vgs.push(vg);
  const avail = vgSize(m, vg);
  const lvSize = layoutSize(p, "lv_size", avail) ?? avail;
  if (lvSize > avail) throw badRequest(`Failed to configure storage layout 'lvm': Size is too large.`);
  const lv = createLv(st, m, vg, p?.get("lv_name") || "lvroot", roundDown(lvSize));
  lv.filesystem = mountedFs(st, "ext4", "root", "/");
}

/** flat | lvm | blank on the boot disk (or `root_device`); wipes the existing configuration first. */
export function applyLayout(st: SimState, m: Machine, layout: string, p?: Params): void {
  const disk = layoutDisk(m, p?.get("root_device"));
  if (layout !== "blank" && !disk) throw badRequest("Machine is missing a boot disk; no storage layout can be applied.");
  wipeStorage(m);
  if (layout === "blank" || !disk) return;
  if (m.biosBootMethod === "uefi") {
    const efi = addPartition(st, m, disk, EFI_SIZE, true);
    efi.filesystem = mountedFs(st, "fat32", "efi", "/boot/efi");
  } else disk.ptableType = "GPT";
  const bootSize = layoutSize(p, "boot_size", disk.size);
  if (bootSize) addPartition(st, m, disk, bootSize).filesystem = mountedFs(st, "ext4", "boot", "/boot");
  const root = addPartition(st, m, disk, layoutSize(p, "root_size", disk.size));
  if (layout === "flat") root.filesystem = mountedFs(st, "ext4", "root", "/");
  else if (layout === "lvm") addLvmRoot(st, m, root, p);
}
