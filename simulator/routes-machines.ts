// machines/ and nodes/ (api/machines.py, api/nodes.py).
import { jsonRes } from "./http";
import * as M from "./machines";
import { itemHandlers } from "./machine-ops";
import { requireAdmin } from "./permissions";
import { route, type Handler, type Resource, type RouteReq } from "./route-table";

const machineOf = (r: RouteReq) => M.getMachine(r.st, r.args[0]!);
const mc = (r: RouteReq): M.MCtx => ({ st: r.st, ctx: r.ctx, p: r.p });

// the item ops MAAS declares idempotent (GET); every other op is a POST
const GET_OPS = new Set(["query_power_state", "power_parameters", "get_curtin_config", "get_token"]);

function itemOps(): Record<string, Handler> {
  const ops: Record<string, Handler> = {};
  for (const [name, fn] of Object.entries(itemHandlers)) {
    if (["read", "update", "delete"].includes(name)) continue;
    ops[(GET_OPS.has(name) ? "GET:" : "POST:") + name] = (r) => fn(mc(r), machineOf(r));
  }
  // the deprecated name of set_workload_annotations
  ops["POST:set_owner_data"] = (r) => itemHandlers.set_workload_annotations(mc(r), machineOf(r));
  return ops;
}

function accept(r: RouteReq) {
  requireAdmin(r.ctx);
  return jsonRes(r.p.getAll("machines").map((id) => JSON.parse(itemHandlers.read(mc(r), M.getMachine(r.st, id)).body) as object));
}

export const machineRoutes: Resource[] = [
  route("machines/", "MachinesHandler", {
    GET: (r) => M.listMachines(mc(r)),
    POST: { anon: true, h: (r) => M.createMachine(mc(r)) },
    "GET:is_registered": { anon: true, h: (r) => M.isRegistered(mc(r)) },
    "GET:power_parameters": (r) => M.powerParametersAll(mc(r)),
    "GET:list_allocated": (r) => M.listAllocated(mc(r)),
    "POST:allocate": (r) => M.allocate(mc(r)),
    "POST:release": (r) => M.releaseMany(mc(r)),
    "POST:accept": accept,
  }),
  route("machines/{id}/", "MachineHandler", {
    GET: (r) => itemHandlers.read(mc(r), machineOf(r)),
    PUT: (r) => itemHandlers.update(mc(r), machineOf(r)),
    DELETE: (r) => itemHandlers.delete(mc(r), machineOf(r)),
    ...itemOps(),
  }),
  route("nodes/", "NodesHandler", {
    GET: (r) => M.listMachines(mc(r)),
    "GET:is_registered": { anon: true, h: (r) => M.isRegistered(mc(r)) },
  }),
  route("nodes/{id}/", "NodeHandler", {
    GET: (r) => itemHandlers.read(mc(r), machineOf(r)),
    DELETE: (r) => itemHandlers.delete(mc(r), machineOf(r)),
    "GET:power_parameters": (r) => itemHandlers.power_parameters(mc(r), machineOf(r)),
  }),
];
