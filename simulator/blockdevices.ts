// Block devices and partitions of a machine (api/blockdevices.py, api/partitions.py).
import type { BlockDevice } from "./model";
import { S } from "./model";
import type { SimResponse } from "./http";
import { jsonRes, noContent, textRes } from "./http";
import { badRequest, djangoBool, fieldErrors, parseSize } from "./util";
import { renderBlockDevice, renderPartition } from "./render";
import { MIN_SIZE, roundDown } from "./storage-model";
import { addPartition, newFs } from "./storage-layout";
import { checkFstype, doMount, editTags, getBd, getPart, requireFormatState, requireReady, unformatCheck, unmount, type StorageCtx } from "./storage-params";

export const blockDeviceHandlers = {
  listBd(c: StorageCtx): SimResponse {
    return jsonRes(c.m.blockDevices.map((b) => renderBlockDevice(c.st, c.m, b)));
  },
  createBd(c: StorageCtx): SimResponse {
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
    const bd = getBd(c.m, dev);
    requireReady(c.m, "delete block device");
    if (bd.filesystem?.fstype === "lvm-pv") throw badRequest("Cannot delete block device because it's part of a volume group.");
    c.m.blockDevices = c.m.blockDevices.filter((b) => b !== bd);
    if (c.m.bootDiskId === bd.id) c.m.bootDiskId = null;
    return noContent();
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
    unmount(bd.filesystem, "Block device");
    return jsonRes(renderBlockDevice(c.st, c.m, bd));
  },
  setBootDisk(c: StorageCtx, dev: string): SimResponse {
    const bd = getBd(c.m, dev);
    if (bd.type !== "physical") throw badRequest("Cannot set a virtual block device as the boot disk.");
    requireReady(c.m, "set as boot disk");
    c.m.bootDiskId = bd.id;
    return textRes(200, "OK");
  },
  tagBd(c: StorageCtx, dev: string, add: boolean): SimResponse {
    const bd = getBd(c.m, dev);
    bd.tags = editTags(c.p, bd.tags, add, () => requireReady(c.m, add ? "add tag" : "remove tag"));
    return jsonRes(renderBlockDevice(c.st, c.m, bd));
  },

  // partitions
  listParts(c: StorageCtx, dev: string): SimResponse {
    const bd = getBd(c.m, dev);
    return jsonRes(bd.partitions.map((p) => renderPartition(c.st, c.m, bd, p)));
  },
  createPart(c: StorageCtx, dev: string): SimResponse {
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
    return jsonRes(renderPartition(c.st, c.m, bd, getPart(bd, id)));
  },
  deletePart(c: StorageCtx, dev: string, id: string): SimResponse {
    const bd = getBd(c.m, dev);
    const part = getPart(bd, id);
    requireReady(c.m, "delete partition");
    if (part.filesystem?.fstype === "lvm-pv" && c.m.vgs.some((v) => v.members.some((x) => x.kind === "part" && x.id === part.id)))
      throw badRequest("Cannot delete partition because it's part of a volume group.");
    bd.partitions = bd.partitions.filter((p) => p !== part);
    if (bd.partitions.length === 0) bd.ptableType = null;
    return noContent();
  },
  formatPart(c: StorageCtx, dev: string, id: string): SimResponse {
    const bd = getBd(c.m, dev);
    const part = getPart(bd, id);
    requireFormatState(c.m, c.ctx, "format", "partition");
    const fstype = checkFstype(c.p);
    if (part.filesystem?.fstype === "lvm-pv") throw badRequest("Cannot format a partition that is part of a volume group.");
    if (part.filesystem?.mountPoint) throw badRequest("Filesystem is mounted and cannot be re-formatted. Unmount the filesystem first.");
    part.filesystem = newFs(c.st, fstype, c.p.get("uuid"), c.p.get("label"));
    return jsonRes(renderPartition(c.st, c.m, bd, part));
  },
  unformatPart(c: StorageCtx, dev: string, id: string): SimResponse {
    const bd = getBd(c.m, dev);
    const part = getPart(bd, id);
    requireFormatState(c.m, c.ctx, "unformat", "partition");
    unformatCheck(part.filesystem, "Partition");
    part.filesystem = null;
    return jsonRes(renderPartition(c.st, c.m, bd, part));
  },
  mountPart(c: StorageCtx, dev: string, id: string): SimResponse {
    const bd = getBd(c.m, dev);
    const part = getPart(bd, id);
    requireFormatState(c.m, c.ctx, "mount", "partition");
    doMount(c.p, part.filesystem);
    return jsonRes(renderPartition(c.st, c.m, bd, part));
  },
  unmountPart(c: StorageCtx, dev: string, id: string): SimResponse {
    const bd = getBd(c.m, dev);
    const part = getPart(bd, id);
    requireFormatState(c.m, c.ctx, "unmount", "partition");
    unmount(part.filesystem, "Partition");
    return jsonRes(renderPartition(c.st, c.m, bd, part));
  },
  tagPart(c: StorageCtx, dev: string, id: string, add: boolean): SimResponse {
    const bd = getBd(c.m, dev);
    const part = getPart(bd, id);
    part.tags = editTags(c.p, part.tags, add, () => requireReady(c.m, add ? "add tag" : "remove tag"));
    return jsonRes(renderPartition(c.st, c.m, bd, part));
  },
};
