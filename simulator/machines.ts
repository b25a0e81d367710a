// The machines collection (api/machines.py MachinesHandler): list with filters, create, allocate,
// release of several machines, power parameters, is_registered, list_allocated.
import type { Machine } from "./model";
import { S, STATUS_NAME } from "./model";
import type { Ctx, SimState } from "./state";
import type { Params, SimResponse } from "./http";
import { jsonRes } from "./http";
import { badRequest, conflict, djangoBool, fieldErrors, forbidden, normMac, notFound, parseSize, stringBool } from "./util";
import { renderMachine } from "./render";
import { newIface } from "./interface-params";
import { generatedHardware } from "./inventory";
import { discoverHardware, makeMachine, vlanForFabric } from "./hardware";
import { RELEASABLE, acquire, doRelease, startCommissioning } from "./lifecycle";
import { generateHostname, parsePowerParams, validateArch, validateHostname, validatePowerType } from "./machine-forms";
import { hasPermission, requireAdmin } from "./permissions";
import { placementFilter } from "./placement";

export interface MCtx {
  st: SimState;
  ctx: Ctx;
  p: Params;
}

export function getMachine(st: SimState, sid: string): Machine {
  const m = st.bySystemId.get(sid);
  if (!m) throw notFound("Machine");
  return m;
}

/** A list filter (ReadNodesForm): null when the parameter was not given. */
function machineFilter(p: Params): (m: Machine) => boolean {
  const set = (k: string, f: (v: string) => string = (v) => v) => (p.getAll(k).length ? new Set(p.getAll(k).map(f)) : null);
  const ids = set("id");
  const notIds = set("not_id");
  const hosts = set("hostname", (h) => h.split(".")[0]!);
  const macs = p.getAll("mac_address").map((x) => normMac(x));
  if (macs.some((x) => x === null)) throw fieldErrors({ mac_address: ["Invalid parameter: invalid MAC address format"] });
  const macSet = macs.length ? new Set(macs as string[]) : null;
  const statuses = set("status", (s) => s.toUpperCase());
  const agents = set("agent_name");
  const owners = set("owner");
  return (m) =>
    (!ids || ids.has(m.systemId)) &&
    !notIds?.has(m.systemId) &&
    (!hosts || hosts.has(m.hostname)) &&
    (!macSet || m.interfaces.some((i) => i.mac !== null && macSet.has(i.mac))) &&
    (!statuses || statuses.has((S[m.status] as string) ?? "")) &&
    (!agents || agents.has(m.agentName)) &&
    (!owners || owners.has(m.owner ?? ""));
}

/** The machines the caller may see (get_nodes(user, view)): a non-admin sees unowned machines and their own. */
export function visibleMachines(c: MCtx): Machine[] {
  return c.st.machines.filter((m) => hasPermission(c.ctx.user, "view", m));
}

export function listMachines(c: MCtx): SimResponse {
  const out = visibleMachines(c).filter(machineFilter(c.p)).filter(placementFilter(c.st, c.p));
  const ids = new Set(c.p.getAll("id"));
  // a list filtered by k ids counts 1/k of a request for each machine it returns
  if (ids.size) for (const m of out) m.requests += 1 / ids.size;
  return jsonRes(out.map((m) => renderMachine(c.st, m)));
}

interface CreateForm {
  macs: string[];
  arch: string;
  powerType: string;
  powerParams: Record<string, string>;
  minHweKernel: string;
  hostname: string;
}

function createForm(st: SimState, p: Params, ctx: Ctx): CreateForm {
  const macsRaw = p.getAll("mac_addresses").flatMap((x) => x.split(",")).map((x) => x.trim()).filter(Boolean);
  const errs: Record<string, string[]> = {};
  if (macsRaw.length === 0) errs.mac_addresses = ["This field is required."];
  const macs = macsRaw.map((x) => normMac(x));
  const bad = macsRaw.filter((_, i) => macs[i] === null);
  if (bad.length) throw badRequest(`Invalid MAC address(es): ${bad.join(", ")}`);
  let arch = validateArch(p);
  if (!arch && ctx.user === null) arch = "amd64/generic";
  if (!arch) errs.architecture = ["Architecture must be defined for installable nodes."];
  const powerType = p.get("power_type") ?? "";
  const ptError = validatePowerType(powerType);
  if (ptError) errs.power_type = [ptError];
  if (Object.keys(errs).length) throw fieldErrors(errs);
  for (const mac of macs as string[])
    for (const other of st.machines)
      if (other.interfaces.some((i) => i.mac === mac)) throw fieldErrors({ mac_addresses: [`One or more MAC addresses is invalid. ('${mac}' is already in use on ${other.hostname}.)`] });
  const powerParams = parsePowerParams(p, {});
  const mk = p.get("min_hwe_kernel");
  if (mk && !(mk.startsWith("hwe-") || mk.startsWith("ga-"))) throw fieldErrors({ min_hwe_kernel: ["Kernel must start with hwe- or ga-"] });
  const hostname = p.get("hostname");
  if (hostname) validateHostname(st, hostname);
  return { macs: macs as string[], arch: arch!, powerType, powerParams, minHweKernel: mk ?? "", hostname: hostname || generateHostname(st) };
}

/** The new machine: the inventory server with one of its MACs (else generated hardware), NEW. */
function enlist(st: SimState, f: CreateForm, p: Params, ctx: Ctx): Machine {
  const server = st.servers.find((s) => s.nics.some((n) => f.macs.includes(n.mac)) && !s.systemId);
  const hw = server ?? generatedHardware(f.hostname, f.macs, st.r);
  const m = makeMachine(st, f.hostname, hw);
  if (server) server.enlisted = true;
  m.architecture = f.arch;
  m.description = p.get("description") ?? "";
  m.minHweKernel = f.minHweKernel;
  m.powerType = f.powerType;
  m.powerParams = f.powerParams;
  m.powerState = f.powerType === "manual" || f.powerType === "" ? "unknown" : "off";
  m.biosBootMethod = "uefi";
  f.macs.forEach((mac, idx) => {
    const nic = hw.nics.find((n) => n.mac === mac);
    m.interfaces.push(newIface(st, { name: nic?.name ?? `eth${idx}`, type: "physical", mac, vlanId: vlanForFabric(st, nic?.fabric ?? "fabric-0") }));
  });
  m.bootInterfaceId = m.interfaces[0]?.id ?? null;
  st.setStatus(m, S.NEW, ctx);
  st.emit("machine-enlisted", m, ctx);
  m.requests += 1;
  return m;
}

// AnonMachineHandler's fields (api/machines.py DISPLAYED_ANON_MACHINE_FIELDS)
const ANON_FIELDS = ["system_id", "hostname", "domain", "fqdn", "architecture", "status", "power_type", "power_state", "zone", "status_action", "status_message", "status_name", "node_type", "resource_uri"];

export function createMachine(c: MCtx): SimResponse {
  const { st, p, ctx } = c;
  const m = enlist(st, createForm(st, p, ctx), p, ctx);
  const deployed = djangoBool(p.get("deployed"));
  const commission = p.has("commission") ? djangoBool(p.get("commission")) : true;
  if (deployed && ctx.user?.isAdmin) {
    discoverHardware(st, m, { storage: true, network: true });
    m.osystem = "ubuntu";
    m.distroSeries = "jammy";
    m.owner = ctx.user.username;
    m.powerState = "on";
    st.setStatus(m, S.DEPLOYED, ctx);
  } else if (commission && ctx.user?.isAdmin) {
    startCommissioning(st, m, ctx, djangoBool(p.get("skip_networking")), djangoBool(p.get("skip_storage")));
  }
  const r = renderMachine(st, m);
  if (!ctx.user) return jsonRes(Object.fromEntries(ANON_FIELDS.map((k) => [k, r[k]])));
  return jsonRes(r);
}

/** The 409 MAAS answers when nothing matches (api/machines.py allocate). */
function noMatch(p: Params, sid: string | undefined): never {
  if (sid && p.keys().filter((k) => !["op", "system_id", "agent_name", "comment"].includes(k)).length === 0) throw conflict(`No machine with system ID ${sid} available.`);
  const cons = p.keys().filter((k) => !["op", "agent_name", "comment", "dry_run", "verbose", "bridge_all", "bridge_stp", "bridge_fd"].includes(k));
  if (cons.length === 0) throw conflict("No machine available.");
  const desc = cons.map((k) => `${k}=${p.getAll(k).join(",")}`).join(" ");
  throw conflict(`No available machine matches constraints: [${cons.map((k) => `('${k}', ['${p.getAll(k).join("', '")}'])`).join(", ")}] (resolved to "${desc}")`);
}

export function allocate(c: MCtx): SimResponse {
  const { st, p, ctx } = c;
  const sid = p.get("system_id");
  const name = p.get("name");
  const cpu = p.get("cpu_count") ? Number(p.get("cpu_count")) : 0;
  const mem = p.get("mem") ? parseSize(p.get("mem")!) : 0;
  const arch = p.get("arch");
  const placed = placementFilter(st, p);
  const m = st.machines
    .filter((m) => m.status === S.READY && m.owner === null && hasPermission(ctx.user, "edit", m))
    .filter((m) => !sid || m.systemId === sid)
    .filter((m) => !name || m.hostname === name || `${m.hostname}.maas` === name)
    .filter((m) => m.cpuCount >= cpu && m.memory >= mem)
    .filter((m) => !arch || m.architecture === arch || m.architecture.split("/")[0] === arch)
    .filter(placed)
    .sort((a, b) => a.cpuCount + a.memory / 1024 - (b.cpuCount + b.memory / 1024))[0];
  if (!m) noMatch(p, sid);
  if (stringBool(p.get("dry_run"))) return jsonRes({ ...renderMachine(st, m), constraints_by_type: {} });
  acquire(st, m, ctx, p.get("agent_name") ?? "");
  st.emit("machine-allocated", m, ctx);
  m.requests += 1;
  return jsonRes({ ...renderMachine(st, m), constraints_by_type: {} });
}

export function releaseMany(c: MCtx): SimResponse {
  const ids = c.p.getAll("machines");
  const ms = ids.map((id) => c.st.bySystemId.get(id));
  const missing = ids.filter((_, i) => !ms[i]);
  if (missing.length) throw badRequest(`Unknown machine(s): ${missing.join(", ")}.`);
  const refused = (ms as Machine[]).filter((m) => !hasPermission(c.ctx.user, "edit", m));
  if (refused.length) throw forbidden(`You don't have the required permission to release the following machine(s): ${refused.map((m) => m.systemId).join(", ")}.`);
  const bad = (ms as Machine[]).filter((m) => !RELEASABLE.has(m.status) && m.status !== S.READY && m.status !== S.RELEASING);
  if (bad.length) throw conflict(`Machine(s) cannot be released in their current state: ${bad.map((m) => `${m.systemId} ('${STATUS_NAME[m.status]}')`).join(", ")}.`);
  for (const m of ms as Machine[]) if (m.status !== S.READY && m.status !== S.RELEASING) doRelease(c.st, m, c.ctx, false);
  return jsonRes(ids);
}

export function powerParametersAll(c: MCtx): SimResponse {
  requireAdmin(c.ctx);
  const ids = c.p.getAll("id");
  const out: Record<string, Record<string, string>> = {};
  for (const m of c.st.machines) if (!ids.length || ids.includes(m.systemId)) out[m.systemId] = { ...m.powerParams };
  return jsonRes(out);
}

export function isRegistered(c: MCtx): SimResponse {
  const mac = c.p.get("mac_address");
  if (!mac) throw fieldErrors({ mac_address: ["This field is required."] });
  const n = normMac(mac);
  if (!n) throw fieldErrors({ mac_address: ["Invalid parameter: invalid MAC address format"] });
  return jsonRes(c.st.machines.some((m) => m.interfaces.some((i) => i.mac === n)));
}

export function listAllocated(c: MCtx): SimResponse {
  const ids = c.p.getAll("id");
  return jsonRes(c.st.machines.filter((m) => m.status === S.ALLOCATED && m.owner === c.ctx.user?.username && (!ids.length || ids.includes(m.systemId))).map((m) => renderMachine(c.st, m)));
}
