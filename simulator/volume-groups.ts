// Volume groups and logical volumes of a machine (api/volume_groups.py).
import type { VolumeGroup } from "./model";
import type { SimResponse } from "./http";
import { jsonRes, noContent } from "./http";
import { fieldErrors, parseSize, uuid4 } from "./util";
import { renderBlockDevice, renderVg } from "./render";
import { MIN_SIZE, roundDown, vgSize, vgUsed } from "./storage-model";
import { createLv } from "./storage-layout";
import { addMembers, getVg, requireReady, resolveMembers, setMemberFs, type StorageCtx } from "./storage-params";

export const volumeGroupHandlers = {
  // volume groups
  listVgs(c: StorageCtx): SimResponse {
    return jsonRes(c.m.vgs.map((v) => renderVg(c.st, c.m, v)));
  },
  createVg(c: StorageCtx): SimResponse {
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
    const vg = getVg(c.m, id);
    requireReady(c.m, "delete volume group");
    for (const mem of vg.members) setMemberFs(c.m, mem, null);
    c.m.blockDevices = c.m.blockDevices.filter((b) => b.vgId !== vg.id);
    c.m.vgs = c.m.vgs.filter((v) => v !== vg);
    return noContent();
  },
  createLv(c: StorageCtx, id: string): SimResponse {
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
    const vg = getVg(c.m, id);
    requireReady(c.m, "delete logical volume");
    const lvId = c.p.get("id");
    if (!lvId) throw fieldErrors({ id: ["This field is required."] });
    c.m.blockDevices = c.m.blockDevices.filter((b) => !(b.vgId === vg.id && String(b.id) === lvId));
    return noContent();
  },
};
