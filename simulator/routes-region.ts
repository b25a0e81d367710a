// Region-wide endpoints: version, users, config, boot resources, zones, pools, domains, tags, spaces.
import { jsonRes } from "./http";
import { ApiError, badRequest, fieldErrors } from "./util";
import { API, DOMAIN } from "./render";
import { placeRoutes } from "./routes-places";
import { SERIES } from "./machine-forms";
import { queryEvents } from "./events-query";
import { requireAdmin } from "./permissions";
import { route, type Resource, type RouteReq } from "./route-table";
import type { User } from "./state";

// api/version.py
const CAPABILITIES = ["networks-management", "static-ipaddresses", "ipv6-deployment-ubuntu", "devices-management", "storage-deployment-ubuntu", "network-deployment-ubuntu", "bridging-interface-ubuntu", "bridging-automatic-ubuntu", "authenticate-api"];

function userJson(u: User): object {
  return { is_superuser: u.isAdmin, username: u.username, email: `${u.username}@example.com`, is_local: true, resource_uri: `${API}/users/${u.username}/` };
}

/** api/users.py: every user, ordered by username, for any authenticated caller. */
function listUsers(r: RouteReq) {
  return jsonRes([...r.st.users].sort((a, b) => a.username.localeCompare(b.username)).map(userJson));
}

function bootResources() {
  return Object.entries(SERIES).map(([series, ver], i) => ({
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

function setConfig(r: RouteReq) {
  requireAdmin(r.ctx);
  const name = r.p.get("name");
  if (!name) throw badRequest("No provided name!");
  const v = r.p.get("value") ?? "";
  r.st.config[name] = v === "true" ? true : v === "false" ? false : /^\d+$/.test(v) ? Number(v) : v;
  return jsonRes(null);
}

export const regionRoutes: Resource[] = [
  route("version/", "VersionHandler", { GET: { anon: true, h: () => jsonRes({ capabilities: CAPABILITIES, version: "3.6.5", subversion: "" }) } }),
  route("users/", "UsersHandler", {
    GET: listUsers,
    "GET:whoami": (r) => jsonRes(userJson(r.ctx.user!)),
  }),
  route("users/{s}/", "UserHandler", {
    GET: (r) => {
      const u = r.st.users.find((x) => x.username === r.args[0]);
      if (!u) throw new ApiError(404, "No User matches the given query.");
      return jsonRes(userJson(u));
    },
  }),
  route("maas/", "MaasHandler", {
    "GET:get_config": (r) => {
      const name = r.p.get("name");
      if (!name) throw badRequest("No provided name!");
      if (!(name in r.st.config)) throw fieldErrors({ name: [`${name} is not a valid config name.`] });
      return jsonRes(r.st.config[name]);
    },
    "POST:set_config": setConfig,
  }),
  route("boot-resources/", "BootResourcesHandler", {
    GET: (r) => {
      const t = r.p.get("type");
      if (t && !["synced", "uploaded", "generated"].includes(t)) throw badRequest(`'${t}' is not a valid type.`);
      return jsonRes(t === "uploaded" ? [] : bootResources());
    },
  }),
  route("boot-resources/{n}/", "BootResourceHandler", {
    GET: (r) => {
      const b = bootResources().find((x) => String(x.id) === r.args[0]);
      if (!b) throw new ApiError(404, "No BootResource matches the given query.");
      return jsonRes({ ...b, sets: { "20240101": { version: "20240101", size: 300000000, label: "stable", complete: true, files: {} } } });
    },
  }),
  ...placeRoutes,
  route("domains/", "DomainsHandler", { GET: () => jsonRes([DOMAIN]) }),
  route("events/", "EventsHandler", { "GET:query": (r) => queryEvents({ st: r.st, ctx: r.ctx, p: r.p }) }),
  route("spaces/", "SpacesHandler", { GET: () => jsonRes([]) }),
  route("sshkeys/", "SSHKeysHandler", { GET: () => jsonRes([]) }),
];
