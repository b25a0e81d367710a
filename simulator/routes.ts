import type { Ctx, SimState } from "./state";
import type { Params, SimResponse } from "./http";
import { jsonRes, textRes } from "./http";
import { ApiError, fieldErrors, forbidden, badRequest } from "./util";
import * as M from "./machines";
import { storageHandlers as SH } from "./storage";
import { netHandlers as NH, topoHandlers as TH } from "./network";
import { API, DOMAIN, POOL, ZONE } from "./render";
import { S } from "./model";
import { createHash } from "node:crypto";

export interface RouteReq {
  st: SimState;
  ctx: Ctx;
  p: Params;
  args: string[];
}
type H = (r: RouteReq) => SimResponse | Promise<SimResponse>;

interface Action {
  h: H;
  anon?: boolean;
  admin?: boolean;
}

export interface Resource {
  template: string;
  re: RegExp;
  actions: Map<string, Action>;
  name: string;
}

export const resources: Resource[] = [];

function route(template: string, name: string, actions: Record<string, H | Action>): void {
  const re = new RegExp("^" + template.replace(/[.]/g, "\\.").replace(/\{id\}|\{n\}|\{s\}/g, "([^/]+)") + "$");
  const map = new Map<string, Action>();
  for (const [k, v] of Object.entries(actions)) map.set(k, typeof v === "function" ? { h: v } : v);
  resources.push({ template, re, actions: map, name });
}

const machineOf = (r: RouteReq) => M.getMachine(r.st, r.args[0]!);
const mc = (r: RouteReq) => ({ st: r.st, ctx: r.ctx, p: r.p });
const sc = (r: RouteReq) => ({ st: r.st, ctx: r.ctx, p: r.p, m: machineOf(r) });
const adminOnly = (r: RouteReq) => {
  if (!r.ctx.user?.isAdmin) throw forbidden("This method is reserved for admin users.");
};

const CONFIG: Record<string, unknown> = {
  default_distro_series: "jammy",
  default_osystem: "ubuntu",
  commissioning_distro_series: "jammy",
  default_min_hwe_kernel: "",
  default_storage_layout: "flat",
  enable_disk_erasing_on_release: false,
  disk_erase_with_secure_erase: true,
  disk_erase_with_quick_erase: false,
  node_timeout: 30,
  maas_name: "maas-sim",
  kernel_opts: null,
  completed_intro: true,
};

// ---------------------------------------------------------------- misc
route("version/", "VersionHandler", {
  GET: {
    anon: true,
    h: () =>
      jsonRes({
        capabilities: ["networks-management", "static-ipaddresses", "ipv6-deployment-ubuntu", "devices-management", "storage-deployment-ubuntu", "network-deployment-ubuntu", "bridging-interface-ubuntu", "bridging-automatic-ubuntu", "authenticate-api"],
        version: "3.6.5",
        subversion: "",
      }),
  },
});
route("users/", "UsersHandler", {
  GET: (r) => jsonRes([userJson(r)]),
  "GET:whoami": (r) => jsonRes(userJson(r)),
});
route("users/{s}/", "UserHandler", {
  GET: (r) => {
    if (r.args[0] !== r.ctx.user!.username) throw new ApiError(404, "No User matches the given query.");
    return jsonRes(userJson(r));
  },
});
function userJson(r: RouteReq): object {
  const u = r.ctx.user!;
  return { is_superuser: u.isAdmin, username: u.username, email: `${u.username}@example.com`, is_local: true, resource_uri: `${API}/users/${u.username}/` };
}
route("maas/", "MaasHandler", {
  "GET:get_config": (r) => {
    const name = r.p.get("name");
    if (!name) throw badRequest("No provided name!");
    if (!(name in CONFIG)) throw fieldErrors({ name: [`${name} is not a valid config name.`] });
    return jsonRes(CONFIG[name]);
  },
  "POST:set_config": (r) => {
    adminOnly(r);
    const name = r.p.get("name");
    if (!name) throw badRequest("No provided name!");
    const v = r.p.get("value") ?? "";
    CONFIG[name] = v === "true" ? true : v === "false" ? false : /^\d+$/.test(v) ? Number(v) : v;
    return jsonRes(null);
  },
});
route("boot-resources/", "BootResourcesHandler", {
  GET: (r) => {
    const t = r.p.get("type");
    if (t && !["synced", "uploaded", "generated"].includes(t)) throw badRequest(`'${t}' is not a valid type.`);
    if (t === "uploaded") return jsonRes([]);
    return jsonRes(bootResources());
  },
});
route("boot-resources/{n}/", "BootResourceHandler", {
  GET: (r) => {
    const b = bootResources().find((x) => String(x.id) === r.args[0]);
    if (!b) throw new ApiError(404, "No BootResource matches the given query.");
    return jsonRes({ ...b, sets: { "20240101": { version: "20240101", size: 300000000, label: "stable", complete: true, files: {} } } });
  },
});
function bootResources() {
  return Object.entries(M.SERIES).map(([series, ver], i) => ({
    id: i + 1,
    type: "Synced",
    name: `ubuntu/${series}`,
    architecture: "amd64/ga-" + ver,
    subarches: "generic,ga-" + ver,
    title: `Ubuntu ${ver} LTS`,
    base_image: "",
    last_deployed: null,
    resource_uri: `${API}/boot-resources/${i + 1}/`,
  }));
}
route("zones/", "ZonesHandler", { GET: () => jsonRes([ZONE]) });
route("zones/{s}/", "ZoneHandler", {
  GET: (r) => {
    if (r.args[0] !== "default") throw new ApiError(404, "No Zone matches the given query.");
    return jsonRes(ZONE);
  },
});
route("resourcepools/", "ResourcePoolsHandler", { GET: () => jsonRes([POOL]) });
route("resourcepool/{s}/", "ResourcePoolHandler", {
  GET: (r) => {
    if (r.args[0] !== "0" && r.args[0] !== "default") throw new ApiError(404, "No ResourcePool matches the given query.");
    return jsonRes(POOL);
  },
});
route("domains/", "DomainsHandler", { GET: () => jsonRes([DOMAIN]) });
route("tags/", "TagsHandler", { GET: () => jsonRes([]) });
route("spaces/", "SpacesHandler", { GET: () => jsonRes([]) });
route("sshkeys/", "SSHKeysHandler", { GET: () => jsonRes([]) });

// ---------------------------------------------------------------- machines
route("machines/", "MachinesHandler", {
  GET: (r) => M.listMachines(mc(r)),
  POST: { anon: true, h: (r) => M.createMachine(mc(r)) },
  "GET:is_registered": { anon: true, h: (r) => M.isRegistered(mc(r)) },
  "GET:power_parameters": (r) => M.powerParametersAll(mc(r)),
  "GET:list_allocated": (r) => M.listAllocated(mc(r)),
  "POST:allocate": (r) => M.allocate(mc(r)),
  "POST:release": (r) => M.releaseMany(mc(r)),
  "POST:accept": (r) => {
    adminOnly(r);
    return jsonRes(r.p.getAll("machines").map((id) => M.getMachine(r.st, id)).map((m) => r.st && M.itemHandlers.read(mc(r), m)).map((x) => JSON.parse(x.body) as object));
  },
});
const itemOps: Record<string, H> = {};
const GET_OPS = new Set(["query_power_state", "power_parameters", "get_curtin_config", "get_token"]);
for (const [name, fn] of Object.entries(M.itemHandlers)) {
  if (["read", "update", "delete"].includes(name)) continue;
  const key = (GET_OPS.has(name) ? "GET:" : "POST:") + name;
  itemOps[key] = (r) => fn(mc(r), machineOf(r));
}
itemOps["POST:set_owner_data"] = (r) => M.itemHandlers.set_workload_annotations(mc(r), machineOf(r));
route("machines/{id}/", "MachineHandler", {
  GET: (r) => M.itemHandlers.read(mc(r), machineOf(r)),
  PUT: (r) => M.itemHandlers.update(mc(r), machineOf(r)),
  DELETE: (r) => M.itemHandlers.delete(mc(r), machineOf(r)),
  ...itemOps,
});
route("nodes/", "NodesHandler", {
  GET: (r) => M.listMachines(mc(r)),
  "GET:is_registered": { anon: true, h: (r) => M.isRegistered(mc(r)) },
});
route("nodes/{id}/", "NodeHandler", {
  GET: (r) => M.itemHandlers.read(mc(r), machineOf(r)),
  DELETE: (r) => M.itemHandlers.delete(mc(r), machineOf(r)),
  "GET:power_parameters": (r) => M.itemHandlers.power_parameters(mc(r), machineOf(r)),
});

// ---------------------------------------------------------------- storage
route("nodes/{id}/blockdevices/", "BlockDevicesHandler", {
  GET: (r) => SH.listBd(sc(r)),
  POST: (r) => SH.createBd(sc(r)),
});
route("nodes/{id}/blockdevices/{n}/", "BlockDeviceHandler", {
  GET: (r) => SH.readBd(sc(r), r.args[1]!),
  PUT: (r) => SH.updateBd(sc(r), r.args[1]!),
  DELETE: (r) => SH.deleteBd(sc(r), r.args[1]!),
  "POST:format": (r) => SH.formatBd(sc(r), r.args[1]!),
  "POST:unformat": (r) => SH.unformatBd(sc(r), r.args[1]!),
  "POST:mount": (r) => SH.mountBd(sc(r), r.args[1]!),
  "POST:unmount": (r) => SH.unmountBd(sc(r), r.args[1]!),
  "POST:set_boot_disk": (r) => SH.setBootDisk(sc(r), r.args[1]!),
  "POST:add_tag": (r) => SH.tagBd(sc(r), r.args[1]!, true),
  "POST:remove_tag": (r) => SH.tagBd(sc(r), r.args[1]!, false),
});
route("nodes/{id}/blockdevices/{n}/partitions/", "PartitionsHandler", {
  GET: (r) => SH.listParts(sc(r), r.args[1]!),
  POST: (r) => SH.createPart(sc(r), r.args[1]!),
});
const partActions: Record<string, H> = {
  GET: (r) => SH.readPart(sc(r), r.args[1]!, r.args[2]!),
  DELETE: (r) => SH.deletePart(sc(r), r.args[1]!, r.args[2]!),
  "POST:format": (r) => SH.formatPart(sc(r), r.args[1]!, r.args[2]!),
  "POST:unformat": (r) => SH.unformatPart(sc(r), r.args[1]!, r.args[2]!),
  "POST:mount": (r) => SH.mountPart(sc(r), r.args[1]!, r.args[2]!),
  "POST:unmount": (r) => SH.unmountPart(sc(r), r.args[1]!, r.args[2]!),
  "POST:add_tag": (r) => SH.tagPart(sc(r), r.args[1]!, r.args[2]!, true),
  "POST:remove_tag": (r) => SH.tagPart(sc(r), r.args[1]!, r.args[2]!, false),
};
route("nodes/{id}/blockdevices/{n}/partition/{n}", "PartitionHandler", partActions);
route("nodes/{id}/blockdevices/{n}/partitions/{n}", "PartitionHandler", partActions);
route("nodes/{id}/volume-groups/", "VolumeGroupsHandler", {
  GET: (r) => SH.listVgs(sc(r)),
  POST: (r) => SH.createVg(sc(r)),
});
const vgActions: Record<string, H> = {
  GET: (r) => SH.readVg(sc(r), r.args[1]!),
  PUT: (r) => SH.updateVg(sc(r), r.args[1]!),
  DELETE: (r) => SH.deleteVg(sc(r), r.args[1]!),
  "POST:create_logical_volume": (r) => SH.createLv(sc(r), r.args[1]!),
  "POST:delete_logical_volume": (r) => SH.deleteLv(sc(r), r.args[1]!),
};
route("nodes/{id}/volume-group/{n}/", "VolumeGroupHandler", vgActions);
route("nodes/{id}/volume-groups/{n}/", "VolumeGroupHandler", vgActions);
route("nodes/{id}/raids/", "RaidsHandler", { GET: (r) => (sc(r), jsonRes([])) });

// ---------------------------------------------------------------- network
route("nodes/{id}/interfaces/", "InterfacesHandler", {
  GET: (r) => NH.list(sc(r)),
  "POST:create_physical": (r) => NH.createPhysical(sc(r)),
  "POST:create_bond": (r) => NH.createBond(sc(r)),
  "POST:create_vlan": (r) => NH.createVlan(sc(r)),
  "POST:create_bridge": (r) => NH.createBridge(sc(r)),
});
route("nodes/{id}/interfaces/{n}/", "InterfaceHandler", {
  GET: (r) => NH.read(sc(r), r.args[1]!),
  PUT: (r) => NH.update(sc(r), r.args[1]!),
  DELETE: (r) => NH.delete(sc(r), r.args[1]!),
  "POST:link_subnet": (r) => NH.linkSubnet(sc(r), r.args[1]!),
  "POST:unlink_subnet": (r) => NH.unlinkSubnet(sc(r), r.args[1]!),
  "POST:disconnect": (r) => NH.disconnect(sc(r), r.args[1]!),
  "POST:set_default_gateway": (r) => NH.setDefaultGateway(sc(r), r.args[1]!),
  "POST:add_tag": (r) => NH.tag(sc(r), r.args[1]!, true),
  "POST:remove_tag": (r) => NH.tag(sc(r), r.args[1]!, false),
});
route("fabrics/", "FabricsHandler", {
  GET: (r) => TH.fabrics(r.st),
  POST: (r) => (adminOnly(r), TH.createFabric(r.st, r.p)),
});
route("fabrics/{n}/", "FabricHandler", { GET: (r) => TH.fabric(r.st, r.args[0]!) });
route("fabrics/{n}/vlans/", "VlansHandler", {
  GET: (r) => TH.fabricVlans(r.st, r.args[0]!),
  POST: (r) => (adminOnly(r), TH.createVlan(r.st, r.args[0]!, r.p)),
});
route("fabrics/{n}/vlans/{n}/", "VlanHandler", { GET: (r) => TH.fabricVlan(r.st, r.args[0]!, r.args[1]!) });
route("vlans/{n}/", "VlanHandler", { GET: (r) => TH.vlan(r.st, r.args[0]!) });
route("subnets/", "SubnetsHandler", {
  GET: (r) => TH.subnets(r.st),
  POST: (r) => (adminOnly(r), TH.createSubnet(r.st, r.p)),
});
route("subnets/{s}/", "SubnetHandler", { GET: (r) => TH.subnet(r.st, r.args[0]!) });

// ---------------------------------------------------------------- describe
route("describe/", "DescribeHandler", { GET: { anon: true, h: () => jsonRes(describeDoc()) } });

let describeCache: { doc: object; hash: string } | null = null;
export function apiHash(): string {
  return describe().hash;
}
function describe(): { doc: object; hash: string } {
  if (describeCache) return describeCache;
  const handlers = resources.map((res) => ({
    name: res.name,
    doc: res.name,
    path: `${API}/${res.template.replace(/\{id\}/, "{system_id}")}`,
    params: [...res.template.matchAll(/\{(\w+)\}/g)].map((m) => (m[1] === "id" ? "system_id" : m[1]!)),
    actions: [...res.actions.keys()]
      .map((k) => {
        const [method, op] = k.split(":");
        const crud: Record<string, string> = { GET: "read", POST: "create", PUT: "update", DELETE: "delete" };
        return { name: op ?? crud[method!]!, method: method!, op: op ?? null, restful: !op, doc: "" };
      })
      .sort((a, b) => a.name.localeCompare(b.name)),
  }));
  const body = { doc: "MAAS API", resources: handlers.map((h) => ({ name: h.name, anon: null, auth: h })), handlers };
  const hash = createHash("sha1").update(JSON.stringify(body)).digest("hex");
  describeCache = { doc: { ...body, hash }, hash };
  return describeCache;
}
function describeDoc(): object {
  return describe().doc;
}

export function matchRoute(rel: string): { res: Resource; args: string[] } | null {
  for (const res of resources) {
    const m = res.re.exec(rel);
    if (m) return { res, args: m.slice(1).map((x) => decodeURIComponent(x)) };
  }
  return null;
}

export function dispatchKey(method: string, op: string | undefined): string {
  return op ? `${method}:${op}` : method;
}

void S;
void textRes;
