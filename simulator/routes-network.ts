// nodes/{id}/interfaces/, fabrics, VLANs, subnets (api/interfaces.py, fabrics.py, vlans.py, subnets.py).
import { getMachine } from "./machines";
import { interfaceHandlers as IF } from "./interfaces";
import { topoHandlers as TH } from "./topology";
import type { NetCtx } from "./interface-params";
import { requireAdmin, requirePermission, type NodePermission } from "./permissions";
import { route, type Resource, type RouteReq } from "./route-table";

/**
 * The machine of the URL and the permission the call needs on it: reading needs view; every interface
 * change needs admin (auth/local.py: even the owner may not change a machine's interfaces).
 */
function nc(r: RouteReq, perm: NodePermission): NetCtx {
  const m = getMachine(r.st, r.args[0]!);
  requirePermission(r.ctx, perm, m);
  return { st: r.st, ctx: r.ctx, p: r.p, m };
}

export const networkRoutes: Resource[] = [
  route("nodes/{id}/interfaces/", "InterfacesHandler", {
    GET: (r) => IF.list(nc(r, "view")),
    "POST:create_physical": (r) => IF.createPhysical(nc(r, "admin")),
    "POST:create_bond": (r) => IF.createBond(nc(r, "admin")),
    "POST:create_vlan": (r) => IF.createVlan(nc(r, "admin")),
    "POST:create_bridge": (r) => IF.createBridge(nc(r, "admin")),
  }),
  route("nodes/{id}/interfaces/{n}/", "InterfaceHandler", {
    GET: (r) => IF.read(nc(r, "view"), r.args[1]!),
    PUT: (r) => IF.update(nc(r, "admin"), r.args[1]!),
    DELETE: (r) => IF.delete(nc(r, "admin"), r.args[1]!),
    "POST:link_subnet": (r) => IF.linkSubnet(nc(r, "admin"), r.args[1]!),
    "POST:unlink_subnet": (r) => IF.unlinkSubnet(nc(r, "admin"), r.args[1]!),
    "POST:disconnect": (r) => IF.disconnect(nc(r, "admin"), r.args[1]!),
    "POST:set_default_gateway": (r) => IF.setDefaultGateway(nc(r, "admin"), r.args[1]!),
    "POST:add_tag": (r) => IF.tag(nc(r, "admin"), r.args[1]!, true),
    "POST:remove_tag": (r) => IF.tag(nc(r, "admin"), r.args[1]!, false),
  }),
  route("fabrics/", "FabricsHandler", {
    GET: (r) => TH.fabrics(r.st),
    POST: (r) => (requireAdmin(r.ctx), TH.createFabric(r.st, r.p)),
  }),
  route("fabrics/{n}/", "FabricHandler", { GET: (r) => TH.fabric(r.st, r.args[0]!) }),
  route("fabrics/{n}/vlans/", "VlansHandler", {
    GET: (r) => TH.fabricVlans(r.st, r.args[0]!),
    POST: (r) => (requireAdmin(r.ctx), TH.createVlan(r.st, r.args[0]!, r.p)),
  }),
  route("fabrics/{n}/vlans/{n}/", "VlanHandler", { GET: (r) => TH.fabricVlan(r.st, r.args[0]!, r.args[1]!) }),
  route("vlans/{n}/", "VlanHandler", { GET: (r) => TH.vlan(r.st, r.args[0]!) }),
  route("subnets/", "SubnetsHandler", {
    GET: (r) => TH.subnets(r.st),
    POST: (r) => (requireAdmin(r.ctx), TH.createSubnet(r.st, r.p)),
  }),
  route("subnets/{s}/", "SubnetHandler", { GET: (r) => TH.subnet(r.st, r.args[0]!) }),
];
