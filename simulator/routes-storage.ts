// nodes/{id}/blockdevices/, partitions, volume groups (api/blockdevices.py, partitions.py, volume_groups.py).
import { jsonRes } from "./http";
import { getMachine } from "./machines";
import { blockDeviceHandlers as BD } from "./blockdevices";
import { volumeGroupHandlers as VG } from "./volume-groups";
import type { StorageCtx } from "./storage-params";
import { route, type Handler, type Resource, type RouteReq } from "./route-table";

const sc = (r: RouteReq): StorageCtx => ({ st: r.st, ctx: r.ctx, p: r.p, m: getMachine(r.st, r.args[0]!) });

// the partition item answers both spellings (`partition/{id}` is what MAAS emits, no trailing slash)
const partActions: Record<string, Handler> = {
  GET: (r) => BD.readPart(sc(r), r.args[1]!, r.args[2]!),
  DELETE: (r) => BD.deletePart(sc(r), r.args[1]!, r.args[2]!),
  "POST:format": (r) => BD.formatPart(sc(r), r.args[1]!, r.args[2]!),
  "POST:unformat": (r) => BD.unformatPart(sc(r), r.args[1]!, r.args[2]!),
  "POST:mount": (r) => BD.mountPart(sc(r), r.args[1]!, r.args[2]!),
  "POST:unmount": (r) => BD.unmountPart(sc(r), r.args[1]!, r.args[2]!),
  "POST:add_tag": (r) => BD.tagPart(sc(r), r.args[1]!, r.args[2]!, true),
  "POST:remove_tag": (r) => BD.tagPart(sc(r), r.args[1]!, r.args[2]!, false),
};

const vgActions: Record<string, Handler> = {
  GET: (r) => VG.readVg(sc(r), r.args[1]!),
  PUT: (r) => VG.updateVg(sc(r), r.args[1]!),
  DELETE: (r) => VG.deleteVg(sc(r), r.args[1]!),
  "POST:create_logical_volume": (r) => VG.createLv(sc(r), r.args[1]!),
  "POST:delete_logical_volume": (r) => VG.deleteLv(sc(r), r.args[1]!),
};

export const storageRoutes: Resource[] = [
  route("nodes/{id}/blockdevices/", "BlockDevicesHandler", {
    GET: (r) => BD.listBd(sc(r)),
    POST: (r) => BD.createBd(sc(r)),
  }),
  route("nodes/{id}/blockdevices/{n}/", "BlockDeviceHandler", {
    GET: (r) => BD.readBd(sc(r), r.args[1]!),
    PUT: (r) => BD.updateBd(sc(r), r.args[1]!),
    DELETE: (r) => BD.deleteBd(sc(r), r.args[1]!),
    "POST:format": (r) => BD.formatBd(sc(r), r.args[1]!),
    "POST:unformat": (r) => BD.unformatBd(sc(r), r.args[1]!),
    "POST:mount": (r) => BD.mountBd(sc(r), r.args[1]!),
    "POST:unmount": (r) => BD.unmountBd(sc(r), r.args[1]!),
    "POST:set_boot_disk": (r) => BD.setBootDisk(sc(r), r.args[1]!),
    "POST:add_tag": (r) => BD.tagBd(sc(r), r.args[1]!, true),
    "POST:remove_tag": (r) => BD.tagBd(sc(r), r.args[1]!, false),
  }),
  route("nodes/{id}/blockdevices/{n}/partitions/", "PartitionsHandler", {
    GET: (r) => BD.listParts(sc(r), r.args[1]!),
    POST: (r) => BD.createPart(sc(r), r.args[1]!),
  }),
  route("nodes/{id}/blockdevices/{n}/partition/{n}", "PartitionHandler", partActions),
  route("nodes/{id}/blockdevices/{n}/partitions/{n}", "PartitionHandler", partActions),
  route("nodes/{id}/volume-groups/", "VolumeGroupsHandler", {
    GET: (r) => VG.listVgs(sc(r)),
    POST: (r) => VG.createVg(sc(r)),
  }),
  route("nodes/{id}/volume-group/{n}/", "VolumeGroupHandler", vgActions),
  route("nodes/{id}/volume-groups/{n}/", "VolumeGroupHandler", vgActions),
  route("nodes/{id}/raids/", "RaidsHandler", { GET: (r) => (sc(r), jsonRes([])) }),
];
