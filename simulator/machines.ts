import type { BlockDevice, Iface, Machine, Server } from "./model";
import { S, STATUS_NAME } from "./model";
import type { Ctx, SimState } from "./state";
import type { Params, SimResponse } from "./http";
import { jsonRes, textRes } from "./http";
import { ApiError, badRequest, conflict, djangoBool, fieldErrors, forbidden, normMac, notFound, parseSize, stringBool, uuid4 } from "./util";
import { renderMachine } from "./render";
import { applyLayout, storageIssues, wipeStorage } from "./storage";
import { clearLinks, newIface } from "./network";
import { generatedHardware } from "./inventory";

// virtual durations in seconds
export const DURATIONS = { commissioning: 180, testing: 120, deploying: 900, diskErasing: 120, releasing: 20, testOnly: 60 };

export const SERIES: Record<string, string> = { jammy: "22.04", focal: "20.04", noble: "24.04" };
export const ARCHES = ["amd64/generic", "amd64/ga-20.04", "amd64/ga-22.04", "amd64/ga-24.04", "amd64/hwe-20.04", "amd64/hwe-22.04", "amd64/hwe-24.04"];
const RELEASABLE = new Set<number>([S.ALLOCATED, S.RESERVED, S.BROKEN, S.DEPLOYING, S.DEPLOYED, S.FAILED_DEPLOYMENT, S.FAILED_DISK_ERASING, S.FAILED_RELEASING]);
const COMMISSIONABLE = new Set<number>([S.NEW, S.FAILED_COMMISSIONING, S.READY, S.BROKEN]);
const TESTABLE = new Set<number>([
  S.FAILED_COMMISSIONING, S.NEW, S.READY, S.RESERVED, S.ALLOCATED, S.FAILED_DEPLOYMENT, S.DEPLOYED, S.MISSING, S.RETIRED, S.BROKEN,
  S.RESCUE_MODE, S.FAILED_RELEASING, S.FAILED_DISK_ERASING, S.FAILED_ENTERING_RESCUE_MODE, S.FAILED_EXITING_RESCUE_MODE, S.FAILED_TESTING,
]);

export interface MCtx {
  st: SimState;
  ctx: Ctx;
  p: Params;
}

const ok = (st: SimState, m: Machine) => jsonRes(renderMachine(st, m));

// ------------------------------------------------------------------ creation & hardware

export function makeMachine(st: SimState, hostname: string, hw: Server | null): Machine {
  const m: Machine = {
    id: st.nextId("machine"),
    systemId: st.newSystemId(),
    hostname,
    description: "",
    owner: null,
    ownerData: {},
    locked: false,
    status: S.NEW,
    previousStatus: S.NEW,
    statusMessage: null,
    errorDescription: "",
    powerState: "unknown",
    powerType: "",
    powerParams: {},
    architecture: "amd64/generic",
    minHweKernel: "",
    hweKernel: null,
    osystem: "",
    distroSeries: "",
    agentName: "",
    userData: null,
    biosBootMethod: "uefi",
    cpuCount: 0,
    cpuSpeed: 0,
    memory: 0,
    swapSize: null,
    hardwareUuid: null,
    serverName: hw && !hw.generated ? hw.hostname : null,
    hw,
    brokenFrom: null,
    testingFrom: null,
    interfaces: [],
    bootInterfaceId: null,
    blockDevices: [],
    vgs: [],
    bootDiskId: null,
    gatewayLinkV4: null,
    commissioningStatus: -1,
    testingStatus: -1,
    tagNames: [],
    timer: null,
    busySince: null,
    busySeconds: 0,
    transitions: [],
    requests: 0,
    releaseErase: false,
    commissionOpts: { skipNetworking: false, skipStorage: false },
  };
  st.machines.push(m);
  st.bySystemId.set(m.systemId, m);
  if (hw) hw.systemId = m.systemId;
  return m;
}

function vlanForFabric(st: SimState, fabric: string): number {
  const f = st.fabricByName(fabric) ?? st.fabrics[0]!;
  return st.untaggedVlan(f.id).id;
}

/** What commissioning reports: disks, NICs, memory, CPUs. */
export function discoverHardware(st: SimState, m: Machine, opts: { storage: boolean; network: boolean }): void {
  const hw = m.hw;
  if (!hw) return;
  m.memory = hw.memory;
  m.cpuCount = hw.cpuCount;
  m.cpuSpeed = 2200;
  m.hardwareUuid ??= uuid4(st.r);
  if (opts.storage || m.blockDevices.length === 0) {
    m.vgs = [];
    m.blockDevices = hw.disks.map(
      (d, i): BlockDevice => ({
        id: st.nextId("blockdevice"),
        name: d.name,
        type: "physical",
        model: d.model,
        serial: d.serial,
        idPath: `/dev/disk/by-id/wwn-0x5002538e${(i + m.id * 16).toString(16).padStart(8, "0")}`,
        uuid: null,
        size: d.size,
        blockSize: 512,
        tags: ["ssd"],
        filesystem: null,
        ptableType: null,
        partitions: [],
        vgId: null,
      }),
    );
    m.bootDiskId = null;
    applyLayout(st, m, "flat");
  }
  if (opts.network || m.interfaces.length === 0) {
    for (const i of m.interfaces) clearLinks(st, m, i);
    const old = new Map(m.interfaces.filter((i) => i.type === "physical" && i.mac).map((i) => [i.mac!, i]));
    const ifaces: Iface[] = hw.nics.map((n) => {
      const prev = old.get(n.mac);
      return newIface(st, { ...(prev ? { id: prev.id } : {}), name: n.name, type: "physical", mac: n.mac, vlanId: vlanForFabric(st, n.fabric) });
    });
    m.interfaces = ifaces;
    m.gatewayLinkV4 = null;
    const boot = ifaces[0];
    m.bootInterfaceId = boot?.id ?? null;
    if (boot) {
      const sn = st.subnetForVlan(boot.vlanId);
      if (sn) boot.links.push({ id: st.nextId("link"), mode: "auto", subnetId: sn.id, ip: null });
    }
  }
}

// ------------------------------------------------------------------ lifecycle

function hangs(st: SimState, m: Machine, status: S): boolean {
  const f = st.faults.machine(m.hostname, m.systemId);
  return !!f.hang && f.hang.toLowerCase() === STATUS_NAME[status]!.toLowerCase();
}

export function startCommissioning(st: SimState, m: Machine, ctx: Ctx | null, skipNetworking = false, skipStorage = false): void {
  st.cancel(m);
  m.commissionOpts = { skipNetworking, skipStorage };
  m.commissioningStatus = 1;
  m.testingStatus = -1;
  m.powerState = "on";
  m.testingFrom = null;
  st.setStatus(m, S.COMMISSIONING, ctx, "Commissioning");
  st.emit("commission-accepted", m, ctx);
  if (hangs(st, m, S.COMMISSIONING)) return;
  st.schedule(m, st.jitter(m, "commissioning", DURATIONS.commissioning), () => {
    const f = st.faults.machine(m.hostname, m.systemId);
    if (f.failCommissioning) {
      m.commissioningStatus = 3;
      m.powerState = "off";
      m.errorDescription = "Commissioning failed (simulated)";
      st.setStatus(m, S.FAILED_COMMISSIONING, null, "Failed commissioning");
      return;
    }
    discoverHardware(st, m, { storage: !m.commissionOpts.skipStorage, network: !m.commissionOpts.skipNetworking });
    m.commissioningStatus = 2;
    startTesting(st, m, null, S.COMMISSIONING);
  });
}

function startTesting(st: SimState, m: Machine, ctx: Ctx | null, from: S): void {
  m.testingStatus = 1;
  m.testingFrom = from;
  m.powerState = "on";
  st.setStatus(m, S.TESTING, ctx, "Testing");
  if (hangs(st, m, S.TESTING)) return;
  const dur = from === S.COMMISSIONING ? DURATIONS.testing : DURATIONS.testOnly;
  st.schedule(m, st.jitter(m, "testing", dur), () => {
    const f = st.faults.machine(m.hostname, m.systemId);
    m.powerState = "off";
    if (f.failTesting) {
      m.testingStatus = 3;
      st.setStatus(m, S.FAILED_TESTING, null, "Failed testing");
      return;
    }
    m.testingStatus = 2;
    st.setStatus(m, testingReturn(from), null, "Ready");
  });
}

function testingReturn(from: S): S {
  if ([S.NEW, S.COMMISSIONING, S.BROKEN, S.READY, S.FAILED_COMMISSIONING, S.FAILED_TESTING, S.FAILED_DEPLOYMENT, S.FAILED_RELEASING, S.FAILED_DISK_ERASING, S.MISSING, S.RETIRED, S.RESCUE_MODE, S.FAILED_ENTERING_RESCUE_MODE, S.FAILED_EXITING_RESCUE_MODE].includes(from))
    return S.READY;
  return from;
}

function assignAutoIps(st: SimState, m: Machine): void {
  for (const i of m.interfaces)
    for (const l of i.links)
      if (l.mode === "auto" && !l.ip && l.subnetId !== null) {
        const sn = st.subnets.find((s) => s.id === l.subnetId);
        if (sn) l.ip = st.allocateIp(sn);
      }
}

function releaseAutoIps(st: SimState, m: Machine): void {
  for (const i of m.interfaces)
    for (const l of i.links)
      if (l.mode === "auto" && l.ip) {
        st.releaseIp(l.subnetId, l.ip);
        l.ip = null;
      }
}

function finishRelease(st: SimState, m: Machine, ctx: Ctx | null): void {
  releaseAutoIps(st, m);
  m.owner = null;
  m.ownerData = {};
  m.osystem = "";
  m.distroSeries = "";
  m.hweKernel = null;
  m.agentName = "";
  m.userData = null;
  m.locked = false;
  m.powerState = "off";
  st.setStatus(m, S.READY, ctx, "Released");
}

function startDeploy(st: SimState, m: Machine, ctx: Ctx | null): void {
  assignAutoIps(st, m);
  m.powerState = "on";
  st.setStatus(m, S.DEPLOYING, ctx, "Deploying");
  st.emit("deploy-accepted", m, ctx);
  if (hangs(st, m, S.DEPLOYING)) return;
  st.schedule(m, st.jitter(m, "deploying", DURATIONS.deploying), () => {
    const f = st.faults.machine(m.hostname, m.systemId);
    if (f.failDeployment) {
      m.errorDescription = "Deployment failed (simulated)";
      st.setStatus(m, S.FAILED_DEPLOYMENT, null, "Failed deployment");
      return;
    }
    st.setStatus(m, S.DEPLOYED, null, "Deployed");
  });
}

/** Release: returns after committing the (possibly synchronous) state change. */
export function doRelease(st: SimState, m: Machine, ctx: Ctx | null, erase: boolean): void {
  st.cancel(m);
  const f = st.faults.machine(m.hostname, m.systemId);
  if (erase) {
    m.powerState = "on";
    st.setStatus(m, S.DISK_ERASING, ctx, "Disk erasing");
    st.emit("release-accepted", m, ctx);
    if (hangs(st, m, S.DISK_ERASING)) return;
    st.schedule(m, st.jitter(m, "erasing", DURATIONS.diskErasing), () => {
      if (st.faults.machine(m.hostname, m.systemId).failRelease) {
        m.powerState = "off";
        st.setStatus(m, S.FAILED_DISK_ERASING, null, "Failed to erase disks");
        return;
      }
      finishRelease(st, m, null);
    });
    return;
  }
  const unqueryable = m.powerType === "manual" || m.powerType === "" || m.powerState === "off";
  if (unqueryable && !f.failRelease && !hangs(st, m, S.RELEASING)) {
    st.setStatus(m, S.RELEASING, ctx, "Releasing");
    st.emit("release-accepted", m, ctx);
    finishRelease(st, m, ctx);
    return;
  }
  st.setStatus(m, S.RELEASING, ctx, "Releasing");
  st.emit("release-accepted", m, ctx);
  if (hangs(st, m, S.RELEASING)) return;
  st.schedule(m, st.jitter(m, "releasing", DURATIONS.releasing), () => {
    if (st.faults.machine(m.hostname, m.systemId).failRelease) {
      st.setStatus(m, S.FAILED_RELEASING, null, "Releasing failed");
      return;
    }
    finishRelease(st, m, null);
  });
}

// ------------------------------------------------------------------ helpers

export function getMachine(st: SimState, sid: string): Machine {
  const m = st.bySystemId.get(sid);
  if (!m) throw notFound("Machine");
  return m;
}

function requireAdmin(ctx: Ctx): void {
  if (!ctx.user?.isAdmin) throw forbidden("This method is reserved for admin users.");
}

/** "edit" permission: admin or owner; locked machines refuse. */
function requireEdit(m: Machine, ctx: Ctx): void {
  if (m.locked) throw forbidden();
  if (!ctx.user) throw forbidden();
  if (!ctx.user.isAdmin && m.owner !== null && m.owner !== ctx.user.username) throw forbidden();
}

function parsePowerParams(p: Params, existing: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...existing };
  const js = p.get("power_parameters");
  if (js !== undefined && js !== "") {
    let o: unknown;
    try {
      o = JSON.parse(js);
    } catch {
      throw badRequest("Failed to parse JSON power_parameters");
    }
    if (typeof o !== "object" || o === null) throw badRequest("Failed to parse JSON power_parameters");
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) out[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  for (const k of p.keys()) {
    if (k.startsWith("power_parameters_") && k !== "power_parameters_skip_check") out[k.slice("power_parameters_".length)] = p.get(k)!;
  }
  return out;
}

const POWER_TYPES = ["manual", "ipmi", "virsh", "redfish", "lxd", "amt", "apc", "dli", "eaton", "hmc", "hmcz", "mscm", "msftocs", "moonshot", "openbmc", "proxmox", "recs_box", "sm15k", "ucsm", "vmware", "webhook", "wedge"];

function validateHostname(st: SimState, h: string, self?: Machine): void {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(h)) throw fieldErrors({ hostname: [`Invalid hostname: Label cannot start or end with hyphen and may only contain letters, digits and hyphens.`] });
  if (st.machines.some((m) => m !== self && m.hostname === h)) throw fieldErrors({ hostname: [`Node with this Hostname already exists.`] });
}

function validateArch(p: Params): string | null {
  let arch = p.get("architecture");
  const sub = p.get("subarchitecture");
  if (arch === undefined || arch === "") return null;
  if (arch.includes("/hwe-") || arch.includes("/ga-")) throw badRequest("hwe kernel must be specified using the min_hwe_kernel argument.");
  if (!arch.includes("/")) arch = `${arch}/${sub || "generic"}`;
  else if (sub) throw badRequest("Subarchitecture cannot be specified twice.");
  if (!ARCHES.includes(arch)) throw fieldErrors({ architecture: [`'${arch}' is not a valid architecture.  It should be one of: ${ARCHES.map((a) => `'${a}'`).join(", ")}.`] });
  return arch;
}

export function resolveSeries(v: string | undefined): string | null {
  if (v === undefined || v === "") return "jammy";
  let s = v.trim();
  if (s.startsWith("ubuntu/")) s = s.slice(7);
  if (SERIES[s]) return s;
  for (const [k, ver] of Object.entries(SERIES)) if (ver === s) return k;
  return null;
}

// ------------------------------------------------------------------ collection handlers

export function listMachines(c: MCtx): SimResponse {
  const ids = c.p.getAll("id");
  const idSet = ids.length ? new Set(ids) : null;
  const notIds = new Set(c.p.getAll("not_id"));
  const hostnames = c.p.getAll("hostname");
  const hostSet = hostnames.length ? new Set(hostnames.map((h) => h.split(".")[0])) : null;
  const macsRaw = c.p.getAll("mac_address");
  const macs = macsRaw.map((x) => normMac(x));
  if (macs.some((x) => x === null)) throw fieldErrors({ mac_address: ["Invalid parameter: invalid MAC address format"] });
  const macSet = macs.length ? new Set(macs as string[]) : null;
  const statuses = c.p.getAll("status").map((s) => s.toUpperCase());
  const agents = c.p.getAll("agent_name");
  const owners = c.p.getAll("owner");
  const out = [];
  for (const m of c.st.machines) {
    if (idSet && !idSet.has(m.systemId)) continue;
    if (notIds.has(m.systemId)) continue;
    if (hostSet && !hostSet.has(m.hostname)) continue;
    if (macSet && !m.interfaces.some((i) => i.mac && macSet.has(i.mac))) continue;
    if (statuses.length && !statuses.includes((S[m.status] as string) ?? "")) continue;
    if (agents.length && !agents.includes(m.agentName)) continue;
    if (owners.length && !owners.includes(m.owner ?? "")) continue;
    out.push(m);
  }
  const share = idSet ? 1 / idSet.size : 0;
  if (idSet) for (const m of out) m.requests += share;
  return jsonRes(out.map((m) => renderMachine(c.st, m)));
}

export function createMachine(c: MCtx): SimResponse {
  const { st, p, ctx } = c;
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
  if (powerType && !POWER_TYPES.includes(powerType))
    errs.power_type = [`Select a valid choice. ${powerType} is not one of the available choices.`];
  if (Object.keys(errs).length) throw fieldErrors(errs);
  for (const mac of macs as string[])
    for (const other of st.machines)
      if (other.interfaces.some((i) => i.mac === mac)) throw fieldErrors({ mac_addresses: [`One or more MAC addresses is invalid. ('${mac}' is already in use on ${other.hostname}.)`] });
  const powerParams = parsePowerParams(p, {});
  const mk = p.get("min_hwe_kernel");
  if (mk && !(mk.startsWith("hwe-") || mk.startsWith("ga-"))) throw fieldErrors({ min_hwe_kernel: ["Kernel must start with hwe- or ga-"] });
  // which physical server is this?
  const server = st.servers.find((s) => s.nics.some((n) => (macs as string[]).includes(n.mac)) && !s.systemId);
  let hostname = p.get("hostname");
  if (hostname) validateHostname(st, hostname);
  else {
    const words = ["able", "brave", "calm", "eager", "fair", "gentle", "happy", "jolly", "kind", "lively", "proud", "quick"];
    const nouns = ["ant", "bee", "cat", "deer", "eel", "fox", "gnu", "hare", "ibis", "jay", "kiwi", "lark"];
    do hostname = `${words[Math.floor(st.r() * words.length)]}-${nouns[Math.floor(st.r() * nouns.length)]}`;
    while (st.machines.some((m) => m.hostname === hostname));
  }
  const hw = server ?? generatedHardware(hostname, macs as string[], st.r);
  const m = makeMachine(st, hostname, hw);
  if (server) server.enlisted = true;
  m.architecture = arch!;
  m.description = p.get("description") ?? "";
  m.minHweKernel = mk ?? "";
  m.powerType = powerType;
  m.powerParams = powerParams;
  m.powerState = powerType === "manual" || powerType === "" ? "unknown" : "off";
  m.biosBootMethod = "uefi";
  // interfaces for the given MACs
  (macs as string[]).forEach((mac, idx) => {
    const nic = hw.nics.find((n) => n.mac === mac);
    m.interfaces.push(newIface(st, { name: nic?.name ?? `eth${idx}`, type: "physical", mac, vlanId: vlanForFabric(st, nic?.fabric ?? "fabric-0") }));
  });
  m.bootInterfaceId = m.interfaces[0]?.id ?? null;
  st.setStatus(m, S.NEW, ctx);
  st.emit("machine-enlisted", m, ctx);
  m.requests += 1;
  const deployed = djangoBool(p.get("deployed"));
  const commission = p.has("commission") ? djangoBool(p.get("commission")) : true;
  if (deployed && ctx.user?.isAdmin) {
    discoverHardware(st, m, { storage: true, network: true });
    m.osystem = "ubuntu";
    m.distroSeries = "jammy";
    m.owner = ctx.user.username;
    m.powerState = "on";
    st.setStatus(m, S.DEPLOYED, ctx, "Deployed");
  } else if (commission && ctx.user?.isAdmin) {
    startCommissioning(st, m, ctx, djangoBool(p.get("skip_networking")), djangoBool(p.get("skip_storage")));
  }
  if (!ctx.user) {
    const r = renderMachine(st, m);
    const anon: Record<string, unknown> = {};
    for (const k of ["system_id", "hostname", "domain", "fqdn", "architecture", "status", "power_type", "power_state", "zone", "status_action", "status_message", "status_name", "node_type"]) anon[k] = r[k];
    anon.resource_uri = r.resource_uri;
    return jsonRes(anon);
  }
  return ok(st, m);
}

export function allocate(c: MCtx): SimResponse {
  const { st, p, ctx } = c;
  const sid = p.get("system_id");
  const name = p.get("name");
  const cpu = p.get("cpu_count") ? Number(p.get("cpu_count")) : 0;
  const mem = p.get("mem") ? parseSize(p.get("mem")!) : 0;
  const arch = p.get("arch");
  const tags = p.getAll("tags").flatMap((t) => t.split(",")).filter(Boolean);
  const zone = p.get("zone");
  const pool = p.get("pool");
  const cands = st.machines
    .filter((m) => m.status === S.READY && m.owner === null && !m.locked)
    .filter((m) => !sid || m.systemId === sid)
    .filter((m) => !name || m.hostname === name || `${m.hostname}.maas` === name)
    .filter((m) => m.cpuCount >= cpu && m.memory >= mem)
    .filter((m) => !arch || m.architecture === arch || m.architecture.split("/")[0] === arch)
    .filter((m) => tags.every((t) => m.tagNames.includes(t)))
    .filter((m) => !zone || zone === "default")
    .filter((m) => !pool || pool === "default")
    .sort((a, b) => a.cpuCount + a.memory / 1024 - (b.cpuCount + b.memory / 1024));
  const m = cands[0];
  if (!m) {
    if (sid && p.keys().filter((k) => !["op", "system_id", "agent_name", "comment"].includes(k)).length === 0) throw conflict(`No machine with system ID ${sid} available.`);
    const cons = p.keys().filter((k) => !["op", "agent_name", "comment", "dry_run", "verbose", "bridge_all", "bridge_stp", "bridge_fd"].includes(k));
    if (cons.length === 0) throw conflict("No machine available.");
    const desc = cons.map((k) => `${k}=${p.getAll(k).join(",")}`).join(" ");
    throw conflict(`No available machine matches constraints: [${cons.map((k) => `('${k}', ['${p.getAll(k).join("', '")}'])`).join(", ")}] (resolved to "${desc}")`);
  }
  if (stringBool(p.get("dry_run"))) return jsonRes({ ...renderMachine(st, m), constraints_by_type: {} });
  m.owner = ctx.user!.username;
  m.agentName = p.get("agent_name") ?? "";
  st.setStatus(m, S.ALLOCATED, ctx, "Allocated");
  st.emit("machine-allocated", m, ctx);
  m.requests += 1;
  return jsonRes({ ...renderMachine(st, m), constraints_by_type: {} });
}

export function releaseMany(c: MCtx): SimResponse {
  const ids = c.p.getAll("machines");
  const ms = ids.map((id) => c.st.bySystemId.get(id));
  const missing = ids.filter((_, i) => !ms[i]);
  if (missing.length) throw badRequest(`Unknown machine(s): ${missing.join(", ")}.`);
  const bad = (ms as Machine[]).filter((m) => !RELEASABLE.has(m.status) && m.status !== S.READY && m.status !== S.RELEASING);
  if (bad.length) throw conflict(`Machine(s) cannot be released in their current state: ${bad.map((m) => `${m.systemId} ('${STATUS_NAME[m.status]}')`).join(", ")}.`);
  const out: string[] = [];
  for (const m of ms as Machine[]) {
    if (m.status !== S.READY && m.status !== S.RELEASING) doRelease(c.st, m, c.ctx, false);
    out.push(m.systemId);
  }
  return jsonRes(out);
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

// ------------------------------------------------------------------ item handlers

export const itemHandlers = {
  read(c: MCtx, m: Machine): SimResponse {
    return ok(c.st, m);
  },
  update(c: MCtx, m: Machine): SimResponse {
    requireAdmin(c.ctx);
    const p = c.p;
    if (p.has("hostname")) validateHostname(c.st, p.get("hostname")!, m);
    const arch = validateArch(p);
    if (p.has("power_type")) {
      const pt = p.get("power_type")!;
      if (pt && !POWER_TYPES.includes(pt)) throw fieldErrors({ power_type: [`Select a valid choice. ${pt} is not one of the available choices.`] });
    }
    if (p.has("disable_ipv4") && djangoBool(p.get("disable_ipv4"))) throw fieldErrors({ disable_ipv4: ["Must be false."] });
    const pp = parsePowerParams(p, m.powerParams);
    if (p.has("hostname")) m.hostname = p.get("hostname")!;
    if (arch) m.architecture = arch;
    if (p.has("description")) m.description = p.get("description")!;
    if (p.has("min_hwe_kernel")) m.minHweKernel = p.get("min_hwe_kernel")!;
    if (p.has("power_type")) {
      m.powerType = p.get("power_type")!;
      if (m.powerType === "manual") m.powerState = "unknown";
    }
    m.powerParams = pp;
    if (p.has("cpu_count")) m.cpuCount = Number(p.get("cpu_count"));
    if (p.has("memory")) m.memory = Number(p.get("memory"));
    if (p.has("swap_size")) m.swapSize = p.get("swap_size") === "" ? null : parseSize(p.get("swap_size")!, "swap_size");
    return ok(c.st, m);
  },
  delete(c: MCtx, m: Machine): SimResponse {
    requireAdmin(c.ctx);
    c.st.cancel(m);
    for (const i of m.interfaces) clearLinks(c.st, m, i);
    releaseAutoIps(c.st, m);
    if (m.busySince !== null) {
      m.busySeconds += ((Date.now() - m.busySince) / 1000) * c.st.speed;
      m.busySince = null;
    }
    c.st.machines = c.st.machines.filter((x) => x !== m);
    c.st.bySystemId.delete(m.systemId);
    const server = c.st.servers.find((s) => s.systemId === m.systemId);
    if (server) {
      server.systemId = null;
      server.enlisted = false;
    }
    c.st.deleted.set(m.systemId, m);
    c.st.emit("machine-deleted", m, c.ctx);
    return { status: 204, body: "", contentType: "text/plain; charset=utf-8" };
  },
  commission(c: MCtx, m: Machine): SimResponse {
    requireAdmin(c.ctx);
    if (!COMMISSIONABLE.has(m.status) || m.locked || m.interfaces.length === 0)
      throw fieldErrors({ __all__: ["Commission is not available because of the current state of the node."] });
    if (!m.powerType) throw new ApiError(500, "Unconfigured power type. Please configure the power type and try again.");
    startCommissioning(c.st, m, c.ctx, djangoBool(c.p.get("skip_networking")), djangoBool(c.p.get("skip_storage")));
    return ok(c.st, m);
  },
  test(c: MCtx, m: Machine): SimResponse {
    requireAdmin(c.ctx);
    if (!TESTABLE.has(m.status) || m.locked) throw fieldErrors({ __all__: ["Test is not available because of the current state of the node."] });
    startTesting(c.st, m, c.ctx, m.status);
    return ok(c.st, m);
  },
  override_failed_testing(c: MCtx, m: Machine): SimResponse {
    requireAdmin(c.ctx);
    if (m.status !== S.FAILED_TESTING) throw conflict(`Unable to override failed testing, node is in state: ${STATUS_NAME[m.status]}.`);
    c.st.setStatus(m, m.osystem ? S.DEPLOYED : S.READY, c.ctx);
    return ok(c.st, m);
  },
  deploy(c: MCtx, m: Machine): SimResponse {
    const { st, p, ctx } = c;
    requireEdit(m, ctx);
    if (m.status === S.READY && m.owner && m.owner !== ctx.user!.username) throw conflict("Can't allocate a machine belonging to another user.");
    if (!(m.status === S.READY || m.status === S.ALLOCATED)) throw conflict(`Can't deploy a machine that is in the '${STATUS_NAME[m.status]}' state`);
    if (stringBool(p.get("install_rackd"))) throw badRequest("Deploying a machine as a rackd has been disabled. Please install MAAS rackd manually.");
    const ephemeral = stringBool(p.get("ephemeral_deploy"));
    if ((stringBool(p.get("install_kvm")) || stringBool(p.get("register_vmhost"))) && !ctx.user!.isAdmin) throw forbidden();
    const series = resolveSeries(p.get("distro_series"));
    if (!series)
      throw fieldErrors({ distro_series: [`'${p.get("distro_series")}' is not a valid distro_series.  It should be one of: '', ${Object.keys(SERIES).map((s) => `'ubuntu/${s}'`).join(", ")}.`] });
    const hwe = p.get("hwe_kernel");
    if (hwe && !/^(hwe|ga)-(\d\d\.\d\d|[a-z]+)(-edge)?$/.test(hwe) && hwe !== "generic")
      throw fieldErrors({ hwe_kernel: [`${hwe} is not available for ubuntu/${series} on ${m.architecture}.`] });
    const ud = p.get("user_data");
    if (ud !== undefined && ud !== "" && !/^[A-Za-z0-9+/=\s_-]*$/.test(ud)) throw fieldErrors({ user_data: ["Invalid base64 user data."] });
    if (!ephemeral) {
      const issues = storageIssues(m);
      if (issues.length) throw fieldErrors({ storage: issues });
    }
    const networked = m.interfaces.some((i) => i.enabled && i.links.length > 0);
    if (!networked) throw fieldErrors({ network: ["Node must be configured to use a network"] });
    if (m.status === S.READY) {
      m.owner = ctx.user!.username;
      st.setStatus(m, S.ALLOCATED, ctx, "Allocated");
    }
    if (p.has("agent_name")) m.agentName = p.get("agent_name")!;
    m.osystem = "ubuntu";
    m.distroSeries = series;
    m.hweKernel = hwe || `ga-${SERIES[series]}`;
    m.userData = ud ?? null;
    startDeploy(st, m, ctx);
    return ok(st, m);
  },
  release(c: MCtx, m: Machine): SimResponse {
    requireEdit(m, c.ctx);
    if (m.status === S.READY || m.status === S.RELEASING) return ok(c.st, m);
    if (!RELEASABLE.has(m.status)) throw conflict(`Machine cannot be released in its current state ('${STATUS_NAME[m.status]}').`);
    const erase = djangoBool(c.p.get("erase")) || djangoBool(c.p.get("secure_erase")) || djangoBool(c.p.get("quick_erase"));
    doRelease(c.st, m, c.ctx, erase);
    return ok(c.st, m);
  },
  abort(c: MCtx, m: Machine): SimResponse {
    requireEdit(m, c.ctx);
    const st = c.st;
    switch (m.status) {
      case S.COMMISSIONING:
        st.cancel(m);
        m.commissioningStatus = 5;
        m.powerState = "off";
        st.setStatus(m, S.NEW, c.ctx, "Aborted commissioning");
        break;
      case S.DEPLOYING:
        st.cancel(m);
        releaseAutoIps(st, m);
        m.powerState = "off";
        st.setStatus(m, S.ALLOCATED, c.ctx, "Aborted deployment");
        break;
      case S.TESTING:
        st.cancel(m);
        m.testingStatus = 5;
        m.powerState = "off";
        st.setStatus(m, testingReturn(m.testingFrom ?? S.READY), c.ctx, "Aborted testing");
        break;
      case S.DISK_ERASING:
        st.cancel(m);
        m.powerState = "off";
        st.setStatus(m, S.FAILED_DISK_ERASING, c.ctx, "Aborted disk erasing");
        break;
      default:
        throw conflict(`Cannot abort in current state: node ${m.systemId} is in state ${STATUS_NAME[m.status]}.`);
    }
    return ok(st, m);
  },
  power_on(c: MCtx, m: Machine): SimResponse {
    requireEdit(m, c.ctx);
    if (!m.owner) throw conflict("Can't start node: it hasn't been allocated.");
    if (m.status === S.ALLOCATED) {
      if (!m.osystem) {
        m.osystem = "ubuntu";
        m.distroSeries = "jammy";
      }
      const ud = c.p.get("user_data");
      if (ud) m.userData = ud;
      startDeploy(c.st, m, c.ctx);
    } else m.powerState = "on";
    return ok(c.st, m);
  },
  power_off(c: MCtx, m: Machine): SimResponse {
    requireEdit(m, c.ctx);
    const sm = c.p.get("stop_mode");
    if (sm && !["soft", "hard"].includes(sm)) throw fieldErrors({ stop_mode: [`Select a valid choice. ${sm} is not one of the available choices.`] });
    if (m.powerType === "manual") return jsonRes(null);
    m.powerState = "off";
    return ok(c.st, m);
  },
  query_power_state(c: MCtx, m: Machine): SimResponse {
    if (m.powerType === "manual" || m.powerType === "") return jsonRes({ state: "unknown" });
    return jsonRes({ state: m.powerState });
  },
  power_parameters(c: MCtx, m: Machine): SimResponse {
    requireAdmin(c.ctx);
    return jsonRes({ ...m.powerParams });
  },
  mark_broken(c: MCtx, m: Machine): SimResponse {
    if (m.locked) throw forbidden();
    if (m.owner !== c.ctx.user?.username) throw forbidden();
    const msg = c.p.get("comment") ?? c.p.get("error_description") ?? "";
    const from = m.status;
    if (RELEASABLE.has(m.status) && m.status !== S.DEPLOYED && m.status !== S.BROKEN) finishRelease(c.st, m, c.ctx);
    m.brokenFrom = from;
    m.errorDescription = msg;
    c.st.cancel(m);
    c.st.setStatus(m, S.BROKEN, c.ctx, "Marked broken");
    return ok(c.st, m);
  },
  mark_fixed(c: MCtx, m: Machine): SimResponse {
    requireAdmin(c.ctx);
    if (m.status !== S.BROKEN) throw conflict("Can't mark a non-broken node as 'Ready'.");
    m.errorDescription = "";
    c.st.setStatus(m, m.brokenFrom === S.DEPLOYED ? S.DEPLOYED : S.READY, c.ctx, "Marked fixed");
    return ok(c.st, m);
  },
  lock(c: MCtx, m: Machine): SimResponse {
    if (m.locked) throw conflict("Machine is already locked");
    if (m.status !== S.DEPLOYED && m.status !== S.DEPLOYING) throw conflict("Can't lock, node is not deployed or deploying");
    m.locked = true;
    return ok(c.st, m);
  },
  unlock(c: MCtx, m: Machine): SimResponse {
    if (!m.locked) throw conflict("Machine is not locked");
    m.locked = false;
    return ok(c.st, m);
  },
  set_storage_layout(c: MCtx, m: Machine): SimResponse {
    requireAdmin(c.ctx);
    const layouts = ["flat", "lvm", "bcache", "vmfs6", "vmfs7", "custom", "blank"];
    if (m.status !== S.READY) throw conflict("Cannot change the storage layout on a machine that is not Ready.");
    const l = c.p.get("storage_layout");
    if (!l) throw fieldErrors({ storage_layout: ["This field is required."] });
    if (!layouts.includes(l)) throw fieldErrors({ storage_layout: [`'${l}' is not a valid storage_layout.  It should be one of: ${layouts.map((x) => `'${x}'`).join(", ")}.`] });
    if (l === "custom") throw badRequest("No custom storage layout configuration found");
    if (l === "bcache" || l.startsWith("vmfs")) throw badRequest(`Failed to configure storage layout '${l}': not supported by the simulator.`);
    applyLayout(c.st, m, l, c.p);
    return ok(c.st, m);
  },
  set_workload_annotations(c: MCtx, m: Machine): SimResponse {
    requireEdit(m, c.ctx);
    if (m.owner !== c.ctx.user?.username) throw conflict("Cannot set workload annotation: it hasn't been acquired.");
    for (const k of c.p.keys()) {
      if (k === "op") continue;
      const v = c.p.get(k)!;
      if (v === "") delete m.ownerData[k];
      else m.ownerData[k] = v;
    }
    return ok(c.st, m);
  },
  get_curtin_config(c: MCtx, m: Machine): SimResponse {
    if (![S.DEPLOYING, S.DEPLOYED, S.FAILED_DEPLOYMENT].includes(m.status)) throw badRequest(`Machine ${m.hostname} is not in a deployment state.`);
    const lines = ["storage:", "  version: 1", "  config:"];
    for (const b of m.blockDevices.filter((x) => x.type === "physical")) {
      lines.push(`  - id: ${b.name}`, "    type: disk", `    ptable: ${(b.ptableType ?? "gpt").toLowerCase()}`, `    serial: ${b.serial}`, "    wipe: superblock");
      for (const p of b.partitions) {
        lines.push(`  - id: ${b.name}-part${p.index}`, "    type: partition", `    device: ${b.name}`, `    size: ${p.size}B`, `    number: ${p.index}`);
        if (p.filesystem) {
          lines.push(`  - id: ${b.name}-part${p.index}_format`, "    type: format", `    fstype: ${p.filesystem.fstype}`, `    volume: ${b.name}-part${p.index}`);
          if (p.filesystem.mountPoint) lines.push(`  - id: ${b.name}-part${p.index}_mount`, "    type: mount", `    path: ${p.filesystem.mountPoint}`, `    device: ${b.name}-part${p.index}_format`);
        }
      }
    }
    return textRes(200, lines.join("\n") + "\n");
  },
  get_token(c: MCtx, _m: Machine): SimResponse {
    requireAdmin(c.ctx);
    return jsonRes(null);
  },
  clear_default_gateways(c: MCtx, m: Machine): SimResponse {
    requireAdmin(c.ctx);
    m.gatewayLinkV4 = null;
    return ok(c.st, m);
  },
  restore_storage_configuration(c: MCtx, m: Machine): SimResponse {
    requireAdmin(c.ctx);
    if (m.status !== S.READY && m.status !== S.FAILED_TESTING) throw conflict(`Machine must be in a ready or failed testing state to restore storage configuration.`);
    wipeStorage(c.st, m);
    discoverHardware(c.st, m, { storage: true, network: false });
    return ok(c.st, m);
  },
  restore_networking_configuration(c: MCtx, m: Machine): SimResponse {
    requireAdmin(c.ctx);
    if (m.status !== S.READY && m.status !== S.FAILED_TESTING) throw conflict(`Machine must be in a ready or failed testing state to restore networking configuration.`);
    discoverHardware(c.st, m, { storage: false, network: true });
    return ok(c.st, m);
  },
  restore_default_configuration(c: MCtx, m: Machine): SimResponse {
    requireAdmin(c.ctx);
    if (m.status !== S.READY && m.status !== S.FAILED_TESTING) throw conflict(`Machine must be in a ready or failed testing state to restore default configuration.`);
    discoverHardware(c.st, m, { storage: true, network: true });
    return ok(c.st, m);
  },
};

/** Machines present at start (inventory servers with enlisted=true). */
export function enlistAtStart(st: SimState, server: Server, owner: string): Machine {
  const m = makeMachine(st, server.hostname, server);
  m.architecture = "amd64/generic";
  m.powerType = "ipmi";
  m.powerParams = { power_address: server.bmcAddress, power_user: "admin", power_pass: "password", power_driver: "LAN_2_0" };
  m.powerState = "off";
  discoverHardware(st, m, { storage: true, network: true });
  m.commissioningStatus = 2;
  m.testingStatus = 2;
  if (server.status === "Ready") st.setStatus(m, S.READY, null, "Ready");
  if (server.status === "Deployed") {
    assignAutoIps(st, m);
    m.owner = owner;
    m.osystem = "ubuntu";
    m.distroSeries = "jammy";
    m.hweKernel = "ga-22.04";
    m.powerState = "on";
    st.setStatus(m, S.DEPLOYED, null, "Deployed");
  }
  if (server.status === "New") {
    m.commissioningStatus = -1;
    m.testingStatus = -1;
    m.powerType = "";
    m.powerState = "unknown";
    m.blockDevices = [];
    m.vgs = [];
  }
  m.transitions = [];
  return m;
}
