// Operations on one machine (api/machines.py MachineHandler, api/nodes.py NodeHandler and PowerMixin):
// read, update, delete and the POST/GET ops (deploy, release, commission, abort, power, ...). The
// permission each one needs is checked before it runs (ITEM_PERMISSIONS).
import type { Machine } from "./model";
import { S, STATUS_NAME } from "./model";
import type { SimState } from "./state";
import type { SimResponse } from "./http";
import { jsonRes, noContent, textRes } from "./http";
import { ApiError, badRequest, conflict, djangoBool, fieldErrors, forbidden, parseSize, stringBool } from "./util";
import { renderMachine } from "./render";
import { storageIssues } from "./storage-model";
import { applyLayout, wipeStorage } from "./storage-layout";
import { clearLinks } from "./interface-params";
import { releaseAutoIps } from "./addresses";
import { discoverHardware } from "./hardware";
import { COMMISSIONABLE, RELEASABLE, TESTABLE, abortPhase, acquire, doRelease, finishRelease, startCommissioning, startDeploy, startTesting } from "./lifecycle";
import { recordRequest } from "./event-log";
import { SERIES, parsePowerParams, resolveSeries, validateArch, validateHostname, validatePowerType } from "./machine-forms";
import type { MCtx } from "./machines";
import type { NodePermission } from "./permissions";
import { POOLS, ZONES, placeFromForm } from "./places";

const ok = (st: SimState, m: Machine) => jsonRes(renderMachine(st, m));

interface DeployForm {
  series: string;
  hwe: string | undefined;
  userData: string | undefined;
}

/** deploy's parameters and the checks MAAS makes before it starts (api/machines.py deploy). */
function deployForm(c: MCtx, m: Machine): DeployForm {
  const { p, ctx } = c;
  if (stringBool(p.get("install_rackd"))) throw badRequest("Deploying a machine as a rackd has been disabled. Please install MAAS rackd manually.");
  const ephemeral = stringBool(p.get("ephemeral_deploy"));
  // (sic) api/machines.py deploy
  if ((stringBool(p.get("install_kvm")) || stringBool(p.get("register_vmhost"))) && !ctx.user!.isAdmin) throw forbidden("Only administratros can deploy VM hosts");
  const series = resolveSeries(p.get("distro_series"));
  if (!series)
    throw fieldErrors({ distro_series: [`'${p.get("distro_series")}' is not a valid distro_series.  It should be one of: '', ${Object.keys(SERIES).map((s) => `'ubuntu/${s}'`).join(", ")}.`] });
  const hwe = p.get("hwe_kernel");
  if (hwe && !/^(hwe|ga)-(\d\d\.\d\d|[a-z]+)(-edge)?$/.test(hwe) && hwe !== "generic")
    throw fieldErrors({ hwe_kernel: [`${hwe} is not available for ubuntu/${series} on ${m.architecture}.`] });
  const userData = p.get("user_data");
  if (userData !== undefined && userData !== "" && !/^[A-Za-z0-9+/=\s_-]*$/.test(userData)) throw fieldErrors({ user_data: ["Invalid base64 user data."] });
  if (!ephemeral) {
    const issues = storageIssues(m);
    if (issues.length) throw fieldErrors({ storage: issues });
  }
  if (!m.interfaces.some((i) => i.enabled && i.links.length > 0)) throw fieldErrors({ network: ["Node must be configured to use a network"] });
  return { series, hwe, userData };
}

export const itemHandlers = {
  read(c: MCtx, m: Machine): SimResponse {
    return ok(c.st, m);
  },
  update(c: MCtx, m: Machine): SimResponse {
    const p = c.p;
    if (p.has("hostname")) validateHostname(c.st, p.get("hostname")!, m);
    const arch = validateArch(p);
    const ptError = p.has("power_type") ? validatePowerType(p.get("power_type")!) : null;
    if (ptError) throw fieldErrors({ power_type: [ptError] });
    if (p.has("disable_ipv4") && djangoBool(p.get("disable_ipv4"))) throw fieldErrors({ disable_ipv4: ["Must be false."] });
    const pp = parsePowerParams(p, m.powerParams);
    const zone = p.get("zone") ? placeFromForm(c.st, ZONES, "zone", p.get("zone")!) : null;
    const pool = p.get("pool") ? placeFromForm(c.st, POOLS, "pool", p.get("pool")!) : null;
    if (zone) m.zoneId = zone.id;
    if (pool) m.poolId = pool.id;
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
    c.st.cancel(m);
    for (const i of m.interfaces) clearLinks(c.st, m, i);
    releaseAutoIps(c.st, m);
    c.st.settleBusy(m);
    c.st.machines = c.st.machines.filter((x) => x !== m);
    c.st.bySystemId.delete(m.systemId);
    const server = c.st.servers.find((s) => s.systemId === m.systemId);
    if (server) {
      server.systemId = null;
      server.enlisted = false;
    }
    c.st.deleted.set(m.systemId, m);
    c.st.emit("machine-deleted", m, c.ctx);
    return noContent();
  },
  commission(c: MCtx, m: Machine): SimResponse {
    if (!COMMISSIONABLE.has(m.status) || m.locked || m.interfaces.length === 0)
      throw fieldErrors({ __all__: ["Commission is not available because of the current state of the node."] });
    if (!m.powerType) throw new ApiError(500, "Unconfigured power type. Please configure the power type and try again.");
    startCommissioning(c.st, m, c.ctx, djangoBool(c.p.get("skip_networking")), djangoBool(c.p.get("skip_storage")));
    return ok(c.st, m);
  },
  test(c: MCtx, m: Machine): SimResponse {
    if (!TESTABLE.has(m.status) || m.locked) throw fieldErrors({ __all__: ["Test is not available because of the current state of the node."] });
    startTesting(c.st, m, c.ctx, m.status);
    return ok(c.st, m);
  },
  override_failed_testing(c: MCtx, m: Machine): SimResponse {
    if (m.status !== S.FAILED_TESTING) throw conflict(`Unable to override failed testing, node is in state: ${STATUS_NAME[m.status]}.`);
    recordRequest(c.st, m, c.ctx, "REQUEST_NODE_OVERRIDE_FAILED_TESTING", "ignore failed tests");
    c.st.setStatus(m, m.osystem ? S.DEPLOYED : S.READY, c.ctx);
    return ok(c.st, m);
  },
  deploy(c: MCtx, m: Machine): SimResponse {
    const { st, p, ctx } = c;
    if (m.status === S.READY && m.owner && m.owner !== ctx.user!.username) throw conflict("Can't allocate a machine belonging to another user.");
    if (!(m.status === S.READY || m.status === S.ALLOCATED)) throw conflict(`Can't deploy a machine that is in the '${STATUS_NAME[m.status]}' state`);
    const f = deployForm(c, m);
    if (m.status === S.READY) acquire(st, m, ctx, undefined);
    if (p.has("agent_name")) m.agentName = p.get("agent_name")!;
    m.osystem = "ubuntu";
    m.distroSeries = f.series;
    m.hweKernel = f.hwe || `ga-${SERIES[f.series]}`;
    m.userData = f.userData ?? null;
    startDeploy(st, m, ctx);
    return ok(st, m);
  },
  release(c: MCtx, m: Machine): SimResponse {
    if (m.status === S.READY || m.status === S.RELEASING) return ok(c.st, m);
    if (!RELEASABLE.has(m.status)) throw conflict(`Machine cannot be released in its current state ('${STATUS_NAME[m.status]}').`);
    const erase = djangoBool(c.p.get("erase")) || djangoBool(c.p.get("secure_erase")) || djangoBool(c.p.get("quick_erase"));
    doRelease(c.st, m, c.ctx, erase);
    return ok(c.st, m);
  },
  abort(c: MCtx, m: Machine): SimResponse {
    if (!abortPhase(c.st, m, c.ctx)) throw conflict(`Cannot abort in current state: node ${m.systemId} is in state ${STATUS_NAME[m.status]}.`);
    return ok(c.st, m);
  },
  power_on(c: MCtx, m: Machine): SimResponse {
    if (!m.owner) throw conflict("Can't start node: it hasn't been allocated.");
    if (m.status === S.ALLOCATED) {
      if (!m.osystem) {
        m.osystem = "ubuntu";
        m.distroSeries = "jammy";
      }
      const ud = c.p.get("user_data");
      if (ud) m.userData = ud;
      startDeploy(c.st, m, c.ctx);
    } else {
      recordRequest(c.st, m, c.ctx, "REQUEST_NODE_START", "start");
      m.powerState = "on";
    }
    return ok(c.st, m);
  },
  power_off(c: MCtx, m: Machine): SimResponse {
    const sm = c.p.get("stop_mode");
    if (sm && !["soft", "hard"].includes(sm)) throw fieldErrors({ stop_mode: [`Select a valid choice. ${sm} is not one of the available choices.`] });
    recordRequest(c.st, m, c.ctx, "REQUEST_NODE_STOP", "stop");
    if (m.powerType === "manual") return jsonRes(null);
    m.powerState = "off";
    return ok(c.st, m);
  },
  query_power_state(c: MCtx, m: Machine): SimResponse {
    if (m.powerType === "manual" || m.powerType === "") return jsonRes({ state: "unknown" });
    return jsonRes({ state: m.powerState });
  },
  power_parameters(c: MCtx, m: Machine): SimResponse {
    return jsonRes({ ...m.powerParams });
  },
  mark_broken(c: MCtx, m: Machine): SimResponse {
    // api/machines.py mark_broken: edit permission and the caller owns the machine, admins included
    if (m.owner !== c.ctx.user?.username) throw forbidden();
    const msg = c.p.get("comment") ?? c.p.get("error_description") ?? "";
    recordRequest(c.st, m, c.ctx, "REQUEST_NODE_MARK_BROKEN", "mark broken", msg);
    const from = m.status;
    if (RELEASABLE.has(m.status) && m.status !== S.DEPLOYED && m.status !== S.BROKEN) finishRelease(c.st, m, c.ctx);
    m.brokenFrom = from;
    m.errorDescription = msg;
    c.st.cancel(m);
    c.st.setStatus(m, S.BROKEN, c.ctx);
    return ok(c.st, m);
  },
  mark_fixed(c: MCtx, m: Machine): SimResponse {
    if (m.status !== S.BROKEN) throw conflict("Can't mark a non-broken node as 'Ready'.");
    recordRequest(c.st, m, c.ctx, "REQUEST_NODE_MARK_FIXED", "mark fixed");
    m.errorDescription = "";
    c.st.setStatus(m, m.brokenFrom === S.DEPLOYED ? S.DEPLOYED : S.READY, c.ctx);
    return ok(c.st, m);
  },
  lock(c: MCtx, m: Machine): SimResponse {
    if (m.locked) throw conflict("Machine is already locked");
    if (m.status !== S.DEPLOYED && m.status !== S.DEPLOYING) throw conflict("Can't lock, node is not deployed or deploying");
    recordRequest(c.st, m, c.ctx, "REQUEST_NODE_LOCK", "lock");
    m.locked = true;
    return ok(c.st, m);
  },
  unlock(c: MCtx, m: Machine): SimResponse {
    if (!m.locked) throw conflict("Machine is not locked");
    recordRequest(c.st, m, c.ctx, "REQUEST_NODE_UNLOCK", "unlock");
    m.locked = false;
    return ok(c.st, m);
  },
  set_storage_layout(c: MCtx, m: Machine): SimResponse {
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
    return jsonRes(null);
  },
  clear_default_gateways(c: MCtx, m: Machine): SimResponse {
    m.gatewayLinkV4 = null;
    return ok(c.st, m);
  },
  restore_storage_configuration(c: MCtx, m: Machine): SimResponse {
    if (m.status !== S.READY && m.status !== S.FAILED_TESTING) throw conflict(`Machine must be in a ready or failed testing state to restore storage configuration.`);
    wipeStorage(m);
    discoverHardware(c.st, m, { storage: true, network: false });
    return ok(c.st, m);
  },
  restore_networking_configuration(c: MCtx, m: Machine): SimResponse {
    if (m.status !== S.READY && m.status !== S.FAILED_TESTING) throw conflict(`Machine must be in a ready or failed testing state to restore networking configuration.`);
    discoverHardware(c.st, m, { storage: false, network: true });
    return ok(c.st, m);
  },
  restore_default_configuration(c: MCtx, m: Machine): SimResponse {
    if (m.status !== S.READY && m.status !== S.FAILED_TESTING) throw conflict(`Machine must be in a ready or failed testing state to restore default configuration.`);
    discoverHardware(c.st, m, { storage: true, network: true });
    return ok(c.st, m);
  },
};

/** The permission MAAS's get_node_or_404 asks for, per operation (maas-api.md §7.3). */
export const ITEM_PERMISSIONS: Record<keyof typeof itemHandlers, NodePermission> = {
  read: "view",
  update: "admin",
  delete: "admin",
  commission: "admin",
  test: "admin",
  override_failed_testing: "admin",
  deploy: "edit",
  release: "edit",
  abort: "edit",
  power_on: "edit",
  power_off: "edit",
  query_power_state: "view",
  power_parameters: "admin_read",
  mark_broken: "edit",
  mark_fixed: "admin",
  lock: "lock",
  unlock: "lock",
  set_storage_layout: "admin",
  set_workload_annotations: "edit",
  get_curtin_config: "view",
  get_token: "admin_read",
  clear_default_gateways: "admin",
  restore_storage_configuration: "admin",
  restore_networking_configuration: "admin",
  restore_default_configuration: "admin",
};
