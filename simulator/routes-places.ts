// zones/, resourcepools/ and tags/ (api/zones.py, api/resourcepools.py, api/tags.py).
import { POOLS, ZONES, placeHandlers as P } from "./places";
import { tagHandlers as T } from "./tags";
import { route, type Resource, type RouteReq } from "./route-table";

const c = (r: RouteReq) => ({ st: r.st, ctx: r.ctx, p: r.p });

export const placeRoutes: Resource[] = [
  route("zones/", "ZonesHandler", { GET: (r) => P.list(c(r), ZONES), POST: (r) => P.create(c(r), ZONES) }),
  route("zones/{s}/", "ZoneHandler", {
    GET: (r) => P.read(c(r), ZONES, r.args[0]!),
    PUT: (r) => P.update(c(r), ZONES, r.args[0]!),
    DELETE: (r) => P.delete(c(r), ZONES, r.args[0]!),
  }),
  route("resourcepools/", "ResourcePoolsHandler", { GET: (r) => P.list(c(r), POOLS), POST: (r) => P.create(c(r), POOLS) }),
  route("resourcepool/{s}/", "ResourcePoolHandler", {
    GET: (r) => P.read(c(r), POOLS, r.args[0]!),
    PUT: (r) => P.update(c(r), POOLS, r.args[0]!),
    DELETE: (r) => P.delete(c(r), POOLS, r.args[0]!),
  }),
  route("tags/", "TagsHandler", { GET: (r) => T.list(c(r)), POST: (r) => T.create(c(r)) }),
  route("tags/{s}/", "TagHandler", {
    GET: (r) => T.read(c(r), r.args[0]!),
    PUT: (r) => T.update(c(r), r.args[0]!),
    DELETE: (r) => T.delete(c(r), r.args[0]!),
    "GET:machines": (r) => T.machines(c(r), r.args[0]!),
    "GET:nodes": (r) => T.machines(c(r), r.args[0]!),
    "POST:update_nodes": (r) => T.updateNodes(c(r), r.args[0]!),
  }),
];
