// machines/ and nodes/ (api/machines.py, api/nodes.py).
import { jsonRes } from "./http";
import * as M from "./machines";
import { ITEM_PERMISSIONS, itemHandlers } from "./machine-ops";
import { hasPermission, requirePermission } from "./permissions";
import { forbidden } from "./util";
import { route, type Handler, type Resource, type RouteReq } from "./route-table";

const mc = (r: RouteReq): M.MCtx => ({ st: r.st, ctx: r.ctx, p: r.p });

/** The machine of the URL (404 when unknown), then the permission the operation needs (403). */
function item(name: keyof typeof itemHandlers): Handler {
  return (r) => {
    const m = M.getMachine(r.st, r.args[0]!);
    requirePermission(r.ctx, ITEM_PERMISSIONS[name], m);
    return itemHandlers[name](mc(r), m);
  };
}

// the item ops MAAS declares idempotent (GET); every other op is a POST
const GET_OPS = new Set(["query_power_state", "power_parameters", "get_curtin_config", "get_token"]);

function itemOps(): Record<string, Handler> {
  const ops: Record<string, Handler> = {};
  for (const name of Object.keys(itemHandlers) as Array<keyof typeof itemHandlers>) {
    if (["read", "update", "delete"].includes(name)) continue;
    ops[(GET_OPS.has(name) ? "GET:" : "POST:") + name] = item(name);
  }
  // the deprecated name of set_workload_annotations
  ops["POST:set_owner_data"] = item("set_workload_annotations");
  return ops;
}

/** accept needs admin on every machine named (api/machines.py accept). */
function accept(r: RouteReq) {
  const machines = r.p.getAll("machines").map((id) => M.getMachine(r.st, id));
  const refused = machines.filter((m) => !hasPermission(r.ctx.user, "admin", m));
  if (refused.length) throw forbidden(`You don't have the required permission to accept the following machine(s): ${refused.map((m) => m.systemId).join(", ")}.`);
  return jsonRes(machines.map((m) => JSON.parse(itemHandlers.read(mc(r), m).body) as object));
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
    GET: item("read"),
    PUT: item("update"),
    DELETE: item("delete"),
    ...itemOps(),
  }),
  route("nodes/", "NodesHandler", {
    GET: (r) => M.listMachines(mc(r)),
    "GET:is_registered": { anon: true, h: (r) => M.isRegistered(mc(r)) },
  }),
  route("nodes/{id}/", "NodeHandler", {
    GET: item("read"),
    DELETE: item("delete"),
    "GET:power_parameters": item("power_parameters"),
  }),
];
