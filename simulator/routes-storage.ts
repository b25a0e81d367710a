// nodes/{id}/blockdevices/, partitions, volume groups (api/blockdevices.py, partitions.py, volume_groups.py).
import { jsonRes } from "./http";
import { getMachine } from "./machines";
import { blockDeviceHandlers as BD } from "./blockdevices";
import { volumeGroupHandlers as VG } from "./volume-groups";
import type { StorageCtx } from "./storage-params";
import { requirePermission, type NodePermission } from "./permissions";
import { route, type Handler, type Resource, type RouteReq } from "./route-table";

/** The machine of the URL and the permission the call needs on it (api/blockdevices.py, partitions.py, volume_groups.py). */
function sc(r: RouteReq, perm: NodePermission): StorageCtx {
  const m = getMachine(r.st, r.args[0]!);
  requirePermission(r.ctx, perm, m);
  return { st: r.st, ctx: r.ctx, p: r.p, m };
}

// the partition item answers both spellings (`partition/{id}` is what MAAS emits, no trailing slash)
const partActions: Record<string, Handler> = {
  GET: (r) => BD.readPart(sc(r, "view"), r.args[1]!, r.args[2]!),
  DELETE: (r) => BD.deletePart(sc(r, "admin"), r.args[1]!, r.args[2]!),
  "POST:format": (r) => BD.formatPart(sc(r, "edit"), r.args[1]!, r.args[2]!),
  "POST:unformat": (r) => BD.unformatPart(sc(r, "edit"), r.args[1]!, r.args[2]!),
  "POST:mount": (r) => BD.mountPart(sc(r, "edit"), r.args[1]!, r.args[2]!),
  "POST:unmount": (r) => BD.unmountPart(sc(r, "edit"), r.args[1]!, r.args[2]!),
  "POST:add_tag": (r) => BD.tagPart(sc(r, "admin"), r.args[1]!, r.args[2]!, true),
  "POST:remove_tag": (r) => BD.tagPart(sc(r, "admin"), r.args[1]!, r.args[2]!, false),
};

const vgActions: Record<string, Handler> = {
  GET: (r) => VG.readVg(sc(r, "view"), r.args[1]!),
  PUT: (r) => VG.updateVg(sc(r, "admin"), r.args[1]!),
  DELETE: (r) => VG.deleteVg(sc(r, "admin"), r.args[1]!),
  "POST:create_logical_volume": (r) => VG.createLv(sc(r, "admin"), r.args[1]!),
  "POST:delete_logical_volume": (r) => VG.deleteLv(sc(r, "admin"), r.args[1]!),
};

export const storageRoutes: Resource[] = [
  route("nodes/{id}/blockdevices/", "BlockDevicesHandler", {
    GET: (r) => BD.listBd(sc(r, "view")),
    POST: (r) => BD.createBd(sc(r, "admin")),
  }),
  route("nodes/{id}/blockdevices/{n}/", "BlockDeviceHandler", {
    GET: (r) => BD.readBd(sc(r, "view"), r.args[1]!),
    PUT: (r) => BD.updateBd(sc(r, "admin"), r.args[1]!),
    DELETE: (r) => BD.deleteBd(sc(r, "admin"), r.args[1]!),
    "POST:format": (r) => BD.formatBd(sc(r, "edit"), r.args[1]!),
    "POST:unformat": (r) => BD.unformatBd(sc(r, "edit"), r.args[1]!),
    "POST:mount": (r) => BD.mountBd(sc(r, "edit"), r.args[1]!),
    "POST:unmount": (r) => BD.unmountBd(sc(r, "edit"), r.args[1]!),
    "POST:set_boot_disk": (r) => BD.setBootDisk(sc(r, "admin"), r.args[1]!),
    "POST:add_tag": (r) => BD.tagBd(sc(r, "admin"), r.args[1]!, true),
    "POST:remove_tag": (r) => BD.tagBd(sc(r, "admin"), r.args[1]!, false),
  }),
  route("nodes/{id}/blockdevices/{n}/partitions/", "PartitionsHandler", {
    GET: (r) => BD.listParts(sc(r, "view"), r.args[1]!),
    POST: (r) => BD.createPart(sc(r, "admin"), r.args[1]!),
  }),
  route("nodes/{id}/blockdevices/{n}/partition/{n}", "PartitionHandler", partActions),
  route("nodes/{id}/blockdevices/{n}/partitions/{n}", "PartitionHandler", partActions),
  route("nodes/{id}/volume-groups/", "VolumeGroupsHandler", {
    GET: (r) => VG.listVgs(sc(r, "view")),
    POST: (r) => VG.createVg(sc(r, "admin")),
  }),
  route("nodes/{id}/volume-group/{n}/", "VolumeGroupHandler", vgActions),
  route("nodes/{id}/volume-groups/{n}/", "VolumeGroupHandler", vgActions),
  route("nodes/{id}/raids/", "RaidsHandler", { GET: (r) => (sc(r, "view"), jsonRes([])) }),
];
