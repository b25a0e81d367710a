/**
 * Which of MAAS's node permissions a call needs, for naming the missing right in a 403. Read from
 * canonical/maas 3.6.5 (same in 3.0 to 3.7): auth/local.py (MAASAuthorizationBackend.has_perm without
 * RBAC), api/machines.py and api/nodes.py (the NodePermission each op asks get_node_or_404 for),
 * api/blockdevices.py, partitions.py, volume_groups.py, interfaces.py, api/support.py (@admin_method).
 */

/** view / edit / admin on one machine (NodePermission), or "superuser" for region-wide admin calls. */
export type MaasRight = "view" | "edit" | "admin" | "superuser";

/** Who holds each right in a MAAS without RBAC (auth/local.py). */
export const RIGHT_HOLDERS: Record<MaasRight, string> = {
  view: "held by administrators and, for a machine that is unowned or their own, by any user",
  edit: "held by administrators and by the machine's owner (or any user for an unowned machine), and by nobody while the machine is locked",
  admin: "held by MAAS administrators only, and by nobody while the machine is locked",
  superuser: "held by MAAS administrators only",
};

const MACHINE_OP_RIGHTS: Record<string, MaasRight> = {
  deploy: "edit",
  release: "edit",
  abort: "edit",
  power_on: "edit",
  power_off: "edit",
  mark_broken: "edit",
  set_workload_annotations: "edit",
  set_owner_data: "edit",
  query_power_state: "view",
  get_curtin_config: "view",
  power_parameters: "admin",
  lock: "edit",
  unlock: "edit",
};

/** Storage ops the owner may do (edit); every other storage change needs admin. On a Ready machine MAAS asks admin for these too. */
const STORAGE_EDIT_OPS = new Set(["format", "unformat", "mount", "unmount"]);

interface Call {
  method: string;
  path: string;
  op: string | undefined;
}

/** "POST machines/abc/?op=deploy" → its parts. */
export function parseEndpoint(endpoint: string): Call | undefined {
  const m = /^(GET|POST|PUT|DELETE) ([^?]*)(?:\?(.*))?$/.exec(endpoint);
  if (!m) return undefined;
  const op = new URLSearchParams(m[3] ?? "").get("op") ?? undefined;
  return { method: m[1]!, path: m[2]!, op };
}

function machineRight(c: Call): MaasRight {
  if (c.op) return MACHINE_OP_RIGHTS[c.op] ?? "admin"; // commission, test, set_storage_layout, mark_fixed, restore_*, ...
  return c.method === "GET" ? "view" : "admin"; // PUT (update) and DELETE
}

function nodePartRight(c: Call, part: string): MaasRight {
  if (c.method === "GET" && !c.op) return "view";
  if (part === "blockdevices" && c.op && STORAGE_EDIT_OPS.has(c.op)) return "edit";
  return "admin"; // interfaces (even the owner may not change them), partitions, volume groups, boot disk
}

/** The right MAAS checks for this call; undefined when the call is not one the table knows. */
export function requiredRight(endpoint: string | undefined): MaasRight | undefined {
  const c = endpoint ? parseEndpoint(endpoint) : undefined;
  if (!c) return undefined;
  const parts = c.path.split("/").filter(Boolean);
  const [top, id, sub] = parts;
  if ((top === "machines" || top === "nodes") && id && !sub) return machineRight(c);
  if (top === "nodes" && id && sub) return nodePartRight(c, sub);
  if (top === "machines" && !id) return c.op === "power_parameters" || c.op === "accept" ? "superuser" : undefined;
  if (c.method !== "GET" && ["fabrics", "vlans", "subnets", "zones", "zone", "resourcepools", "resourcepool", "tags", "tag"].includes(top ?? "")) return "superuser";
  return undefined;
}
