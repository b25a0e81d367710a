// The whole API: every route table in MAAS's order, the matcher, and the `describe/` document with
// its hash (the X-MAAS-API-Hash header).
import { createHash } from "node:crypto";
import { jsonRes } from "./http";
import { API } from "./render";
import { route, type Resource } from "./route-table";
import { regionRoutes } from "./routes-region";
import { machineRoutes } from "./routes-machines";
import { storageRoutes } from "./routes-storage";
import { networkRoutes } from "./routes-network";

export type { RouteReq, Resource } from "./route-table";

interface DescribeDoc {
  doc: object;
  hash: string;
}

function describeDoc(resources: Resource[]): DescribeDoc {
  const crud: Record<string, string> = { GET: "read", POST: "create", PUT: "update", DELETE: "delete" };
  const handlers = resources.map((res) => ({
    name: res.name,
    doc: res.name,
    path: `${API}/${res.template.replace(/\{id\}/, "{system_id}")}`,
    params: [...res.template.matchAll(/\{(\w+)\}/g)].map((m) => (m[1] === "id" ? "system_id" : m[1]!)),
    actions: [...res.actions.keys()]
      .map((k) => {
        const [method, op] = k.split(":");
        return { name: op ?? crud[method!]!, method: method!, op: op ?? null, restful: !op, doc: "" };
      })
      .sort((a, b) => a.name.localeCompare(b.name)),
  }));
  const body = { doc: "MAAS API", resources: handlers.map((h) => ({ name: h.name, anon: null, auth: h })), handlers };
  const hash = createHash("sha1").update(JSON.stringify(body)).digest("hex");
  return { doc: { ...body, hash }, hash };
}

const describeRoute = route("describe/", "DescribeHandler", { GET: { anon: true, h: () => jsonRes(DESCRIBE.doc) } });

export const resources: readonly Resource[] = [...regionRoutes, ...machineRoutes, ...storageRoutes, ...networkRoutes, describeRoute];
const DESCRIBE = describeDoc([...resources]);

export function apiHash(): string {
  return DESCRIBE.hash;
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
