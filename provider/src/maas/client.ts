/**
 * MAAS API 2.0 client. Read as a table of contents of the MAAS API: one method per endpoint/op the
 * providers need. Every method that changes MAAS and is not idempotent carries a `verify` step that
 * re-reads MAAS when the answer was lost, so the operation is never blindly repeated.
 */
import { z } from "zod";
import { OAuthSigner, parseApiKey } from "./auth";
import { ConfigError, ConflictError, ErrorContext, FailureStateError, MaasError, NotFoundError, ResponseShapeError } from "./errors";
import {
  BlockDevice,
  BlockDeviceSchema,
  BootResource,
  BootResourceSchema,
  EventsPageSchema,
  ResourcePool,
  ResourcePoolSchema,
  Tag,
  TagNodesResultSchema,
  TagSchema,
  Zone,
  ZoneSchema,
  Fabric,
  FabricSchema,
  Interface,
  InterfaceSchema,
  Machine,
  MachineSchema,
  Partition,
  PartitionSchema,
  parseResponse,
  PowerStateSchema,
  Subnet,
  SubnetSchema,
  VersionSchema,
  Vlan,
  VlanSchema,
  VolumeGroup,
  VolumeGroupSchema,
  WhoamiSchema,
} from "./schemas";
import { HttpMethod, HttpTransport, Params, RawResponse, RetryInfo, VerifyResult } from "./transport";
import { MachineWatcher } from "./watcher";
import { chunkIdsForUrl } from "./chunks";
import { failureEventText } from "./failure-event";

/** Longest URL a list request may have: proxies in front of MAAS commonly refuse longer ones. */
const MAX_URL_BYTES = 8000;

export interface MaasClientOptions {
  /** http://host:5240/MAAS (with or without trailing /, with or without /api/2.0). */
  apiUrl: string;
  /** consumer_key:token_key:token_secret */
  apiKey: string;
  /** Retries per request; default 5; 0 = retry forever. */
  maxRetries?: number;
  /** Per request; default 120000. */
  requestTimeoutMs?: number;
  /** First backoff delay; default 1000. */
  retryBaseMs?: number;
  /** Backoff cap; default 60000. */
  retryCapMs?: number;
  /** PEM text of the CA bundle to trust. */
  caCert?: string;
  /** Skip TLS verification (only when asked). */
  insecure?: boolean;
  /** Requests in flight to this MAAS; default 16. */
  maxConcurrentRequests?: number;
  /** Watcher poll interval; default 10000. */
  pollIntervalMs?: number;
  /** Called before each retry sleep (for progress logs). */
  onRetry?: (info: RetryInfo) => void;
  /** Test hooks: jitter source and sleep. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface CreateMachineParams {
  hostname?: string;
  architecture: string;
  macAddresses: string[];
  description?: string;
  powerType?: string;
  powerParameters?: Record<string, string>;
  commission?: boolean;
  enableSsh?: boolean;
  skipNetworking?: boolean;
  skipStorage?: boolean;
  commissioningScripts?: string[];
  testingScripts?: string[];
}

export interface UpdateMachineParams {
  hostname?: string;
  description?: string;
  /** zone name (admin); MAAS refuses a name it does not have */
  zone?: string;
  /** resource pool name (admin) */
  pool?: string;
  powerType?: string;
  powerParameters?: Record<string, string>;
}

export interface CommissionParams {
  enableSsh?: boolean;
  skipNetworking?: boolean;
  skipStorage?: boolean;
  commissioningScripts?: string[];
  testingScripts?: string[];
}

export interface DeployParams {
  distroSeries?: string;
  hweKernel?: string;
  /** Plain text; the client base64-encodes it. */
  userData?: string;
  agentName?: string;
}

export interface ReleaseParams {
  erase?: boolean;
  secureErase?: boolean;
  quickErase?: boolean;
  comment?: string;
}

export interface BondParams {
  name: string;
  parents: number[];
  mode?: string;
  miimon?: number;
  downdelay?: number;
  updelay?: number;
  lacpRate?: string;
  xmitHashPolicy?: string;
  mtu?: number;
  /** MAAS VLAN object id. */
  vlan?: number;
  macAddress?: string;
}

export interface UpdateInterfaceParams {
  name?: string;
  mtu?: number;
  /** MAAS VLAN object id. */
  vlan?: number;
  macAddress?: string;
  mode?: string;
  miimon?: number;
  downdelay?: number;
  updelay?: number;
  lacpRate?: string;
  xmitHashPolicy?: string;
}

export interface LinkSubnetParams {
  mode: "static" | "dhcp" | "auto" | "link_up";
  subnet?: number;
  ipAddress?: string;
  defaultGateway?: boolean;
  force?: boolean;
}

export interface FindMachineQuery {
  hostname?: string;
  mac?: string;
  bmcAddress?: string;
}

const DEFAULTS = {
  maxRetries: 5,
  requestTimeoutMs: 120_000,
  retryBaseMs: 1_000,
  retryCapMs: 60_000,
  maxConcurrentRequests: 16,
  pollIntervalMs: 10_000,
};

/** Normalise the configured URL to the absolute API root ".../api/2.0/". */
export function apiRootFromUrl(apiUrl: string): string {
  let u: URL;
  try {
    u = new URL(apiUrl);
  } catch {
    throw new ConfigError(`MAAS API URL '${apiUrl}' is not a valid URL (expected e.g. http://maas:5240/MAAS)`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new ConfigError(`MAAS API URL must be http or https, got '${u.protocol}'`);
  if (u.username || u.password) throw new ConfigError("MAAS API URL must not contain credentials");
  let path = u.pathname.replace(/\/+$/, "");
  if (!/\/api\/2\.0$/.test(path)) path = `${path}/api/2.0`;
  return `${u.protocol}//${u.host}${path}/`;
}

function jsonBody(res: RawResponse, ctx: ErrorContext): unknown {
  try {
    return JSON.parse(res.text);
  } catch {
    throw new ResponseShapeError(ctx, "(body)", `is not JSON: ${res.text.slice(0, 200)}`);
  }
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const commaList = (l: string[] | undefined) => (l && l.length ? l.join(",") : undefined);

function powerParamFields(pp: Record<string, string> | undefined): Params {
  const out: Params = {};
  if (pp) for (const [k, v] of Object.entries(pp)) out[`power_parameters_${k}`] = v;
  return out;
}

const MachineListSchema = z.array(MachineSchema);
const BlockDeviceListSchema = z.array(BlockDeviceSchema);
const PartitionListSchema = z.array(PartitionSchema);
const InterfaceListSchema = z.array(InterfaceSchema);
const VolumeGroupListSchema = z.array(VolumeGroupSchema);
const PowerParamsSchema = z.record(z.string(), z.record(z.string(), z.unknown()));

export class MaasClient {
  readonly watcher: MachineWatcher;
  /** The HTTP layer (exposed for the watcher and diagnostics). */
  readonly transport: HttpTransport;
  /** system_id → hostname, learned from every machine MAAS returns, so errors can name machines. */
  private readonly hostnames = new Map<string, string>();

  constructor(opts: MaasClientOptions) {
    const creds = parseApiKey(opts.apiKey);
    const num = (v: number | undefined, d: number, name: string, min: number) => {
      const x = v ?? d;
      if (!Number.isFinite(x) || x < min) throw new ConfigError(`${name} must be a number ≥ ${min}, got ${String(v)}`);
      return x;
    };
    this.transport = new HttpTransport({
      apiRoot: apiRootFromUrl(opts.apiUrl),
      signer: new OAuthSigner(creds),
      maxRetries: Math.floor(num(opts.maxRetries, DEFAULTS.maxRetries, "maxRetries", 0)),
      requestTimeoutMs: num(opts.requestTimeoutMs, DEFAULTS.requestTimeoutMs, "requestTimeoutMs", 1),
      retryBaseMs: num(opts.retryBaseMs, DEFAULTS.retryBaseMs, "retryBaseMs", 0),
      retryCapMs: num(opts.retryCapMs, DEFAULTS.retryCapMs, "retryCapMs", 0),
      maxConcurrentRequests: Math.floor(num(opts.maxConcurrentRequests, DEFAULTS.maxConcurrentRequests, "maxConcurrentRequests", 1)),
      ...(opts.caCert !== undefined ? { caCert: opts.caCert } : {}),
      ...(opts.insecure !== undefined ? { insecure: opts.insecure } : {}),
      ...(opts.random ? { random: opts.random } : {}),
      ...(opts.sleep ? { sleep: opts.sleep } : {}),
      ...(opts.onRetry ? { onRetry: opts.onRetry } : {}),
    });
    this.watcher = new MachineWatcher(this.transport, {
      pollIntervalMs: num(opts.pollIntervalMs, DEFAULTS.pollIntervalMs, "pollIntervalMs", 1),
      remember: (m) => this.remember(m),
      hostnameOf: (id) => this.hostnames.get(id),
    });
  }

  async close(): Promise<void> {
    this.watcher.close();
    await this.transport.close();
  }

  // ---------------------------------------------------------------- plumbing

  private remember<M extends { system_id: string; hostname: string }>(m: M): M {
    if (this.hostnames.get(m.system_id) !== m.hostname) this.hostnames.set(m.system_id, m.hostname);
    return m;
  }

  private mctx(operation: string, systemId: string): ErrorContext {
    const hostname = this.hostnames.get(systemId);
    return hostname !== undefined ? { operation, systemId, hostname } : { operation, systemId };
  }

  private get<S extends z.ZodType>(path: string, query: Params | undefined, schema: S, ctx: ErrorContext): Promise<z.infer<S>> {
    return this.transport.execute({
      method: "GET",
      path,
      ...(query ? { query } : {}),
      ctx,
      idempotent: true,
      handle: (res, c) => parseResponse(schema, jsonBody(res, c), c),
    });
  }

  /**
   * A request that changes MAAS. `verify` undefined means the request is idempotent (safe to resend).
   * ConflictErrors are completed with the machine's current status when MAAS's text did not say it.
   */
  private async change<T>(p: {
    method: HttpMethod;
    path: string;
    op?: string;
    form?: Params;
    ctx: ErrorContext;
    handle: (res: RawResponse, ctx: ErrorContext) => T;
    verify?: () => Promise<VerifyResult<T>>;
  }): Promise<T> {
    try {
      return await this.transport.execute({
        method: p.method,
        path: p.path,
        ...(p.op ? { query: { op: p.op } } : {}),
        ...(p.form ? { form: p.form } : {}),
        ctx: p.ctx,
        idempotent: !p.verify,
        ...(p.verify ? { verify: p.verify } : {}),
        handle: p.handle,
      });
    } catch (e) {
      throw await this.withMachineStatus(e, p.ctx);
    }
  }

  private async withMachineStatus(e: unknown, ctx: ErrorContext): Promise<unknown> {
    if (!(e instanceof ConflictError) || e.maasStatus !== undefined || !ctx.systemId) return e;
    try {
      const m = await this.getMachine(ctx.systemId);
      return new ConflictError({ ...ctx, hostname: m.hostname }, `${e.detail} (machine is ${m.status_name})`, {
        ...(e.httpStatus !== undefined ? { httpStatus: e.httpStatus } : {}),
        ...(e.maasMessage !== undefined ? { maasMessage: e.maasMessage } : {}),
        maasStatus: m.status_name,
        cause: e,
      });
    } catch {
      return e;
    }
  }

  private machineHandler(op: string, systemId: string) {
    return (res: RawResponse, ctx: ErrorContext): Machine => {
      const body = jsonBody(res, ctx);
      if (body === null) throw new MaasError(ctx, `MAAS answered null to ${op}`);
      return this.remember(parseResponse(MachineSchema, body, ctx));
    };
  }

  /** POST machines/{id}/?op=…; `applied` decides from a re-read whether a lost request took effect. */
  private async machineOp(
    systemId: string,
    op: string,
    operation: string,
    form: Params,
    applied?: (after: Machine) => boolean,
  ): Promise<Machine> {
    const ctx = this.mctx(operation, systemId);
    const handle = this.machineHandler(op, systemId);
    const result = await this.change<Machine | null>({
      method: "POST",
      path: `machines/${encodeURIComponent(systemId)}/`,
      op,
      form,
      ctx,
      handle: (res, c) => (res.text.trim() === "null" ? null : handle(res, c)),
      ...(applied
        ? {
            verify: async (): Promise<VerifyResult<Machine | null>> => {
              const m = await this.getMachine(systemId, operation);
              return applied(m) ? { applied: true, value: m } : { applied: false };
            },
          }
        : {}),
    });
    return result ?? this.getMachine(systemId, operation);
  }

  // ---------------------------------------------------------------- general

  async version(): Promise<{ version: string }> {
    const v = await this.get("version/", undefined, VersionSchema, { operation: "read MAAS version" });
    return { version: v.version };
  }

  async whoami(): Promise<{ username: string; is_superuser: boolean }> {
    const w = await this.get("users/", { op: "whoami" }, WhoamiSchema, { operation: "whoami" });
    return { username: w.username, is_superuser: w.is_superuser };
  }

  // ---------------------------------------------------------------- machines

  async listMachines(filter?: { id?: string[]; hostname?: string[]; mac_address?: string[]; agent_name?: string[]; zone?: string[]; pool?: string[]; tags?: string[] }): Promise<Machine[]> {
    const q: Params = {};
    if (filter?.zone) q.zone = filter.zone;
    if (filter?.pool) q.pool = filter.pool;
    if (filter?.tags) q.tags = filter.tags;
    if (filter?.id) q.id = filter.id;
    if (filter?.hostname) q.hostname = filter.hostname;
    if (filter?.mac_address) q.mac_address = filter.mac_address;
    if (filter?.agent_name) q.agent_name = filter.agent_name;
    const list = await this.get("machines/", q, MachineListSchema, { operation: "list machines" });
    for (const m of list) this.remember(m);
    return list;
  }

  /** GET machines/?id=…, split to keep URLs short; a machine MAAS no longer has is simply absent. */
  async machinesById(ids: readonly string[]): Promise<Machine[]> {
    const chunks = chunkIdsForUrl(this.transport.url("machines/"), ids, MAX_URL_BYTES);
    const lists = await Promise.all(chunks.map((id) => this.listMachines({ id })));
    return lists.flat();
  }

  /**
   * Whether MAAS holds the machine under this agent name (the name a deploy was given). The machine's
   * JSON does not show it; the list filter is how MAAS answers.
   */
  async hasAgentName(systemId: string, agentName: string): Promise<boolean> {
    return (await this.listMachines({ id: [systemId], agent_name: [agentName] })).length > 0;
  }

  async getMachine(systemId: string, operation = "read machine"): Promise<Machine> {
    const m = await this.get(`machines/${encodeURIComponent(systemId)}/`, undefined, MachineSchema, this.mctx(operation, systemId));
    return this.remember(m);
  }

  /** Find a machine by MAC, then BMC address, then hostname (first criterion that matches wins). */
  async findMachine(q: FindMachineQuery): Promise<Machine | undefined> {
    if (q.mac) {
      const mac = q.mac.toLowerCase();
      const list = await this.get("machines/", { mac_address: mac }, MachineListSchema, { operation: `find machine by MAC ${mac}` });
      const hit = list.find((m) => m.interface_set.length === 0 || m.interface_set.some((i) => (i.mac_address ?? "").toLowerCase() === mac));
      if (hit) return this.remember(hit);
    }
    if (q.bmcAddress) {
      const params = await this.powerParameters();
      const want = q.bmcAddress.toLowerCase();
      const id = Object.keys(params).find((sid) => {
        const addr = params[sid]?.["power_address"];
        if (typeof addr !== "string" || addr === "") return false;
        const a = addr.toLowerCase();
        if (a === want) return true;
        try {
          return new URL(a).hostname === want; // e.g. qemu+ssh://user@host/system
        } catch {
          return a.split(/[:/@]/).includes(want);
        }
      });
      if (id) return this.getMachine(id, `find machine by BMC address ${q.bmcAddress}`);
    }
    if (q.hostname) {
      const h = q.hostname;
      const list = await this.get("machines/", { hostname: h }, MachineListSchema, { operation: `find machine by hostname ${h}` });
      const hit = list.find((m) => m.hostname === h || m.fqdn === h) ?? list.find((m) => m.hostname === h.split(".")[0]);
      if (hit) return this.remember(hit);
    }
    return undefined;
  }

  async createMachine(p: CreateMachineParams): Promise<Machine> {
    if (!p.macAddresses.length) throw new ConfigError("createMachine needs at least one MAC address");
    const ctx: ErrorContext = { operation: "create machine", ...(p.hostname ? { hostname: p.hostname } : {}) };
    const form: Params = {
      architecture: p.architecture,
      mac_addresses: p.macAddresses,
      hostname: p.hostname,
      description: p.description,
      power_type: p.powerType,
      ...powerParamFields(p.powerParameters),
      commission: p.commission,
      enable_ssh: p.enableSsh,
      skip_networking: p.skipNetworking,
      skip_storage: p.skipStorage,
      commissioning_scripts: commaList(p.commissioningScripts),
      testing_scripts: commaList(p.testingScripts),
    };
    return this.change<Machine>({
      method: "POST",
      path: "machines/",
      form,
      ctx,
      handle: (res, c) => this.remember(parseResponse(MachineSchema, jsonBody(res, c), c)),
      verify: async () => {
        const m = await this.findMachine({ mac: p.macAddresses[0]! });
        return m ? { applied: true, value: m } : { applied: false };
      },
    });
  }

  async updateMachine(systemId: string, p: UpdateMachineParams): Promise<Machine> {
    return this.change<Machine>({
      method: "PUT",
      path: `machines/${encodeURIComponent(systemId)}/`,
      form: { hostname: p.hostname, description: p.description, zone: p.zone, pool: p.pool, power_type: p.powerType, ...powerParamFields(p.powerParameters) },
      ctx: this.mctx("update machine", systemId),
      handle: this.machineHandler("update", systemId),
    });
  }

  async commission(systemId: string, p: CommissionParams = {}): Promise<Machine> {
    const before = await this.getMachine(systemId, "commission");
    return this.machineOp(
      systemId,
      "commission",
      "commission",
      {
        enable_ssh: p.enableSsh,
        skip_networking: p.skipNetworking,
        skip_storage: p.skipStorage,
        commissioning_scripts: commaList(p.commissioningScripts),
        testing_scripts: commaList(p.testingScripts),
      },
      (after) =>
        after.status_name === "Commissioning" ||
        after.status_name === "Testing" ||
        after.status_name !== before.status_name ||
        (after.current_commissioning_result_id ?? null) !== (before.current_commissioning_result_id ?? null),
    );
  }

  async deploy(systemId: string, p: DeployParams = {}): Promise<Machine> {
    return this.machineOp(
      systemId,
      "deploy",
      "deploy",
      {
        distro_series: p.distroSeries,
        hwe_kernel: p.hweKernel,
        user_data: p.userData !== undefined ? b64(p.userData) : undefined,
        agent_name: p.agentName,
      },
      (after) => ["Deploying", "Deployed", "Failed deployment"].includes(after.status_name),
    );
  }

  async release(systemId: string, p: ReleaseParams = {}): Promise<Machine> {
    return this.machineOp(
      systemId,
      "release",
      "release",
      { erase: p.erase, secure_erase: p.secureErase, quick_erase: p.quickErase, comment: p.comment },
      (after) => ["Releasing", "Disk erasing", "Ready", "Releasing failed", "Failed disk erasing"].includes(after.status_name),
    );
  }

  async abort(systemId: string, comment?: string): Promise<Machine> {
    const before = await this.getMachine(systemId, "abort");
    return this.machineOp(systemId, "abort", "abort", { comment }, (after) => after.status_name !== before.status_name);
  }

  async powerOn(systemId: string, comment?: string): Promise<Machine> {
    const before = await this.getMachine(systemId, "power on");
    return this.machineOp(systemId, "power_on", "power on", { comment }, (after) => after.power_state === "on" || after.status_name !== before.status_name);
  }

  /** Powering off twice is harmless, so a lost answer is simply retried. */
  async powerOff(systemId: string, comment?: string): Promise<Machine> {
    return this.machineOp(systemId, "power_off", "power off", { comment });
  }

  async markBroken(systemId: string, comment?: string): Promise<Machine> {
    return this.machineOp(systemId, "mark_broken", "mark broken", { comment }, (after) => after.status_name === "Broken");
  }

  async markFixed(systemId: string, comment?: string): Promise<Machine> {
    return this.machineOp(systemId, "mark_fixed", "mark fixed", { comment }, (after) => after.status_name !== "Broken");
  }

  async queryPowerState(systemId: string): Promise<string> {
    const r = await this.get(`machines/${encodeURIComponent(systemId)}/`, { op: "query_power_state" }, PowerStateSchema, this.mctx("query power state", systemId));
    return r.state;
  }

  async deleteMachine(systemId: string): Promise<void> {
    const ctx = this.mctx("delete machine", systemId);
    await this.change<void>({
      method: "DELETE",
      path: `machines/${encodeURIComponent(systemId)}/`,
      ctx,
      handle: () => undefined,
      verify: () => this.gone(() => this.getMachine(systemId, "delete machine")),
    });
    this.hostnames.delete(systemId);
  }

  private async gone(read: () => Promise<unknown>): Promise<VerifyResult<void>> {
    try {
      await read();
      return { applied: false };
    } catch (e) {
      if (e instanceof NotFoundError) return { applied: true, value: undefined };
      throw e;
    }
  }

  /** GET machines/?op=power_parameters (admin): system_id → power parameters. */
  async powerParameters(ids?: string[]): Promise<Record<string, Record<string, unknown>>> {
    return this.get("machines/", { op: "power_parameters", ...(ids && ids.length ? { id: ids } : {}) }, PowerParamsSchema, { operation: "read power parameters" });
  }

  /** set_storage_layout wipes and rebuilds deterministically, so re-sending it is safe. */
  async setStorageLayout(systemId: string, layout: string, params?: Record<string, string>): Promise<Machine> {
    return this.machineOp(systemId, "set_storage_layout", `set storage layout ${layout}`, { ...(params ?? {}), storage_layout: layout });
  }

  // ---------------------------------------------------------------- storage

  private nodePath(systemId: string, rest: string): string {
    return `nodes/${encodeURIComponent(systemId)}/${rest}`;
  }

  async listBlockDevices(systemId: string): Promise<BlockDevice[]> {
    return this.get(this.nodePath(systemId, "blockdevices/"), undefined, BlockDeviceListSchema, this.mctx("list block devices", systemId));
  }

  async getBlockDevice(systemId: string, deviceId: number, operation = "read block device"): Promise<BlockDevice> {
    return this.get(this.nodePath(systemId, `blockdevices/${deviceId}/`), undefined, BlockDeviceSchema, this.mctx(operation, systemId));
  }

  async setBootDisk(systemId: string, deviceId: number): Promise<void> {
    await this.change<void>({
      method: "POST",
      path: this.nodePath(systemId, `blockdevices/${deviceId}/`),
      op: "set_boot_disk",
      ctx: this.mctx(`set boot disk ${deviceId}`, systemId),
      handle: () => undefined,
    });
  }

  async listPartitions(systemId: string, deviceId: number, operation = "list partitions"): Promise<Partition[]> {
    return this.get(this.nodePath(systemId, `blockdevices/${deviceId}/partitions/`), undefined, PartitionListSchema, this.mctx(operation, systemId));
  }

  /** Partition item URLs have no trailing slash (maas-api.md §1.1). */
  async getPartition(systemId: string, deviceId: number, partitionId: number, operation = "read partition"): Promise<Partition> {
    return this.get(this.nodePath(systemId, `blockdevices/${deviceId}/partition/${partitionId}`), undefined, PartitionSchema, this.mctx(operation, systemId));
  }

  async createPartition(systemId: string, deviceId: number, p: { size?: number; bootable?: boolean }): Promise<Partition> {
    const operation = `create partition on block device ${deviceId}`;
    const before = new Set((await this.listPartitions(systemId, deviceId, operation)).map((x) => x.id));
    return this.change<Partition>({
      method: "POST",
      path: this.nodePath(systemId, `blockdevices/${deviceId}/partitions/`),
      form: { size: p.size, bootable: p.bootable },
      ctx: this.mctx(operation, systemId),
      handle: (res, c) => parseResponse(PartitionSchema, jsonBody(res, c), c),
      verify: async () => {
        const fresh = (await this.listPartitions(systemId, deviceId, operation)).filter((x) => !before.has(x.id));
        if (!fresh.length) return { applied: false };
        fresh.sort((a, b) => b.id - a.id);
        return { applied: true, value: fresh[0]! };
      },
    });
  }

  async formatPartition(systemId: string, deviceId: number, partitionId: number, p: { fstype: string; label?: string }): Promise<Partition> {
    const operation = `format partition ${partitionId} as ${p.fstype}`;
    return this.change<Partition>({
      method: "POST",
      path: this.nodePath(systemId, `blockdevices/${deviceId}/partition/${partitionId}`),
      op: "format",
      form: { fstype: p.fstype, label: p.label },
      ctx: this.mctx(operation, systemId),
      handle: (res, c) => parseResponse(PartitionSchema, jsonBody(res, c), c),
      verify: async () => {
        const part = await this.getPartition(systemId, deviceId, partitionId, operation);
        const fs = part.filesystem;
        return fs && fs.fstype === p.fstype && (p.label === undefined || fs.label === p.label) ? { applied: true, value: part } : { applied: false };
      },
    });
  }

  async mountPartition(systemId: string, deviceId: number, partitionId: number, p: { mountPoint: string; mountOptions?: string }): Promise<Partition> {
    const operation = `mount partition ${partitionId} at ${p.mountPoint}`;
    return this.change<Partition>({
      method: "POST",
      path: this.nodePath(systemId, `blockdevices/${deviceId}/partition/${partitionId}`),
      op: "mount",
      form: { mount_point: p.mountPoint, mount_options: p.mountOptions },
      ctx: this.mctx(operation, systemId),
      handle: (res, c) => parseResponse(PartitionSchema, jsonBody(res, c), c),
      verify: async () => {
        const part = await this.getPartition(systemId, deviceId, partitionId, operation);
        return part.filesystem?.mount_point === p.mountPoint ? { applied: true, value: part } : { applied: false };
      },
    });
  }

  async formatBlockDevice(systemId: string, deviceId: number, p: { fstype: string; label?: string }): Promise<BlockDevice> {
    const operation = `format block device ${deviceId} as ${p.fstype}`;
    return this.change<BlockDevice>({
      method: "POST",
      path: this.nodePath(systemId, `blockdevices/${deviceId}/`),
      op: "format",
      form: { fstype: p.fstype, label: p.label },
      ctx: this.mctx(operation, systemId),
      handle: (res, c) => parseResponse(BlockDeviceSchema, jsonBody(res, c), c),
      verify: async () => {
        const d = await this.getBlockDevice(systemId, deviceId, operation);
        const fs = d.filesystem;
        return fs && fs.fstype === p.fstype && (p.label === undefined || fs.label === p.label) ? { applied: true, value: d } : { applied: false };
      },
    });
  }

  async mountBlockDevice(systemId: string, deviceId: number, p: { mountPoint: string; mountOptions?: string }): Promise<BlockDevice> {
    const operation = `mount block device ${deviceId} at ${p.mountPoint}`;
    return this.change<BlockDevice>({
      method: "POST",
      path: this.nodePath(systemId, `blockdevices/${deviceId}/`),
      op: "mount",
      form: { mount_point: p.mountPoint, mount_options: p.mountOptions },
      ctx: this.mctx(operation, systemId),
      handle: (res, c) => parseResponse(BlockDeviceSchema, jsonBody(res, c), c),
      verify: async () => {
        const d = await this.getBlockDevice(systemId, deviceId, operation);
        return d.filesystem?.mount_point === p.mountPoint ? { applied: true, value: d } : { applied: false };
      },
    });
  }

  async listVolumeGroups(systemId: string, operation = "list volume groups"): Promise<VolumeGroup[]> {
    return this.get(this.nodePath(systemId, "volume-groups/"), undefined, VolumeGroupListSchema, this.mctx(operation, systemId));
  }

  async createVolumeGroup(systemId: string, p: { name: string; partitions?: number[]; blockDevices?: number[] }): Promise<VolumeGroup> {
    const operation = `create volume group ${p.name}`;
    return this.change<VolumeGroup>({
      method: "POST",
      path: this.nodePath(systemId, "volume-groups/"),
      form: { name: p.name, partitions: p.partitions, block_devices: p.blockDevices },
      ctx: this.mctx(operation, systemId),
      handle: (res, c) => parseResponse(VolumeGroupSchema, jsonBody(res, c), c),
      verify: async () => {
        const vg = (await this.listVolumeGroups(systemId, operation)).find((v) => v.name === p.name);
        return vg ? { applied: true, value: vg } : { applied: false };
      },
    });
  }

  async createLogicalVolume(systemId: string, vgId: number, p: { name: string; size?: number }): Promise<BlockDevice> {
    const operation = `create logical volume ${p.name}`;
    const vgPath = this.nodePath(systemId, `volume-group/${vgId}/`);
    return this.change<BlockDevice>({
      method: "POST",
      path: vgPath,
      op: "create_logical_volume",
      form: { name: p.name, size: p.size },
      ctx: this.mctx(operation, systemId),
      handle: (res, c) => parseResponse(BlockDeviceSchema, jsonBody(res, c), c),
      verify: async () => {
        const vg = await this.get(vgPath, undefined, VolumeGroupSchema, this.mctx(operation, systemId));
        const lv = vg.logical_volumes.find((d) => d.name === `${vg.name}-${p.name}` || d.name === p.name);
        return lv ? { applied: true, value: lv } : { applied: false };
      },
    });
  }

  // ---------------------------------------------------------------- network

  async listInterfaces(systemId: string, operation = "list interfaces"): Promise<Interface[]> {
    return this.get(this.nodePath(systemId, "interfaces/"), undefined, InterfaceListSchema, this.mctx(operation, systemId));
  }

  async getInterface(systemId: string, interfaceId: number, operation = "read interface"): Promise<Interface> {
    return this.get(this.nodePath(systemId, `interfaces/${interfaceId}/`), undefined, InterfaceSchema, this.mctx(operation, systemId));
  }

  async createBond(systemId: string, p: BondParams): Promise<Interface> {
    const operation = `create bond ${p.name}`;
    return this.change<Interface>({
      method: "POST",
      path: this.nodePath(systemId, "interfaces/"),
      op: "create_bond",
      form: {
        name: p.name,
        parents: p.parents,
        mac_address: p.macAddress,
        vlan: p.vlan,
        mtu: p.mtu,
        bond_mode: p.mode,
        bond_miimon: p.miimon,
        bond_downdelay: p.downdelay,
        bond_updelay: p.updelay,
        bond_lacp_rate: p.lacpRate,
        bond_xmit_hash_policy: p.xmitHashPolicy,
      },
      ctx: this.mctx(operation, systemId),
      handle: (res, c) => parseResponse(InterfaceSchema, jsonBody(res, c), c),
      verify: async () => {
        const i = (await this.listInterfaces(systemId, operation)).find((x) => x.name === p.name && x.type === "bond");
        return i ? { applied: true, value: i } : { applied: false };
      },
    });
  }

  async createVlan(systemId: string, p: { parent: number; vlan: number; mtu?: number }): Promise<Interface> {
    const operation = `create VLAN interface (VLAN ${p.vlan}) on interface ${p.parent}`;
    return this.change<Interface>({
      method: "POST",
      path: this.nodePath(systemId, "interfaces/"),
      op: "create_vlan",
      form: { parent: p.parent, vlan: p.vlan, mtu: p.mtu },
      ctx: this.mctx(operation, systemId),
      handle: (res, c) => parseResponse(InterfaceSchema, jsonBody(res, c), c),
      verify: async () => {
        const all = await this.listInterfaces(systemId, operation);
        const parent = all.find((x) => x.id === p.parent);
        const i = all.find((x) => x.type === "vlan" && x.vlan?.id === p.vlan && (!parent || x.parents.includes(parent.name)));
        return i ? { applied: true, value: i } : { applied: false };
      },
    });
  }

  async updateInterface(systemId: string, interfaceId: number, p: UpdateInterfaceParams): Promise<Interface> {
    return this.change<Interface>({
      method: "PUT",
      path: this.nodePath(systemId, `interfaces/${interfaceId}/`),
      form: {
        name: p.name,
        mtu: p.mtu,
        vlan: p.vlan,
        mac_address: p.macAddress,
        bond_mode: p.mode,
        bond_miimon: p.miimon,
        bond_downdelay: p.downdelay,
        bond_updelay: p.updelay,
        bond_lacp_rate: p.lacpRate,
        bond_xmit_hash_policy: p.xmitHashPolicy,
      },
      ctx: this.mctx(`update interface ${interfaceId}`, systemId),
      handle: (res, c) => parseResponse(InterfaceSchema, jsonBody(res, c), c),
    });
  }

  async linkSubnet(systemId: string, interfaceId: number, p: LinkSubnetParams): Promise<Interface> {
    const operation = `link interface ${interfaceId} to subnet${p.subnet !== undefined ? ` ${p.subnet}` : ""} (${p.mode})`;
    const before = new Set((await this.getInterface(systemId, interfaceId, operation)).links.map((l) => l.id));
    return this.change<Interface>({
      method: "POST",
      path: this.nodePath(systemId, `interfaces/${interfaceId}/`),
      op: "link_subnet",
      form: { mode: p.mode, subnet: p.subnet, ip_address: p.ipAddress, default_gateway: p.defaultGateway, force: p.force },
      ctx: this.mctx(operation, systemId),
      handle: (res, c) => parseResponse(InterfaceSchema, jsonBody(res, c), c),
      verify: async () => {
        const i = await this.getInterface(systemId, interfaceId, operation);
        const fresh = i.links.some((l) => !before.has(l.id) && l.mode.toLowerCase() === p.mode);
        return fresh ? { applied: true, value: i } : { applied: false };
      },
    });
  }

  async unlinkSubnet(systemId: string, interfaceId: number, linkId: number): Promise<Interface> {
    const operation = `unlink link ${linkId} from interface ${interfaceId}`;
    return this.change<Interface>({
      method: "POST",
      path: this.nodePath(systemId, `interfaces/${interfaceId}/`),
      op: "unlink_subnet",
      form: { id: linkId },
      ctx: this.mctx(operation, systemId),
      handle: (res, c) => parseResponse(InterfaceSchema, jsonBody(res, c), c),
      verify: async () => {
        const i = await this.getInterface(systemId, interfaceId, operation);
        return i.links.some((l) => l.id === linkId) ? { applied: false } : { applied: true, value: i };
      },
    });
  }

  /** disconnect leaves the same end state however often it is sent. */
  async disconnectInterface(systemId: string, interfaceId: number): Promise<Interface> {
    return this.change<Interface>({
      method: "POST",
      path: this.nodePath(systemId, `interfaces/${interfaceId}/`),
      op: "disconnect",
      ctx: this.mctx(`disconnect interface ${interfaceId}`, systemId),
      handle: (res, c) => parseResponse(InterfaceSchema, jsonBody(res, c), c),
    });
  }

  async deleteInterface(systemId: string, interfaceId: number): Promise<void> {
    const operation = `delete interface ${interfaceId}`;
    await this.change<void>({
      method: "DELETE",
      path: this.nodePath(systemId, `interfaces/${interfaceId}/`),
      ctx: this.mctx(operation, systemId),
      handle: () => undefined,
      verify: () => this.gone(() => this.getInterface(systemId, interfaceId, operation)),
    });
  }

  // ---------------------------------------------------------------- events

  /**
   * The text of the machine's most relevant recent failure event ("Marking node failed: …",
   * "Script: …"), from `GET events/?op=query&id=…&level=INFO&limit=…`; undefined when no recent event
   * gives a reason or the events cannot be read (an older MAAS, no right, an odd answer): it only
   * adds to an error being built, so it never throws.
   */
  async lastFailureEvent(systemId: string, opts: { limit?: number } = {}): Promise<string | undefined> {
    try {
      const page = await this.get("events/", { op: "query", id: systemId, level: "INFO", limit: opts.limit ?? 20 }, EventsPageSchema, this.mctx("read events", systemId));
      return failureEventText(page.events);
    } catch {
      return undefined;
    }
  }

  /**
   * `e` with the machine's last failure event appended when `e` is a FailureStateError (a wait that
   * ended in Failed …); any other value is returned as it is. Never throws.
   */
  async withFailureEvent(e: unknown): Promise<unknown> {
    if (!(e instanceof FailureStateError) || !e.systemId || e.lastEvent !== undefined) return e;
    const text = await this.lastFailureEvent(e.systemId);
    if (!text) return e;
    const ctx: ErrorContext = { operation: e.operation, systemId: e.systemId, ...(e.hostname !== undefined ? { hostname: e.hostname } : {}), ...(e.endpoint !== undefined ? { endpoint: e.endpoint } : {}) };
    const withEvent = new FailureStateError(ctx, e.statusName, e.statusMessage, text);
    Object.defineProperty(withEvent, "cause", { value: e, enumerable: false, writable: true, configurable: true });
    return withEvent;
  }

  // ---------------------------------------------------------------- zones, resource pools, tags

  async listZones(): Promise<Zone[]> {
    return this.get("zones/", undefined, z.array(ZoneSchema), { operation: "list zones" });
  }

  async listResourcePools(): Promise<ResourcePool[]> {
    return this.get("resourcepools/", undefined, z.array(ResourcePoolSchema), { operation: "list resource pools" });
  }

  /** Moves the machine to the zone and/or pool named (PUT machines/{id}/, admin); idempotent. */
  async setMachinePlacement(systemId: string, p: { zone?: string; pool?: string }): Promise<Machine> {
    const what = [p.zone !== undefined ? `zone ${p.zone}` : "", p.pool !== undefined ? `pool ${p.pool}` : ""].filter(Boolean).join(" and ");
    return this.change<Machine>({
      method: "PUT",
      path: `machines/${encodeURIComponent(systemId)}/`,
      form: { zone: p.zone, pool: p.pool },
      ctx: this.mctx(`move machine to ${what || "its zone and pool"}`, systemId),
      handle: this.machineHandler("update", systemId),
    });
  }

  async listTags(): Promise<Tag[]> {
    return this.get("tags/", undefined, z.array(TagSchema), { operation: "list tags" });
  }

  /** The tag, or undefined when MAAS has no tag of that name. */
  async getTag(name: string, operation = `read tag ${name}`): Promise<Tag | undefined> {
    try {
      return await this.get(`tags/${encodeURIComponent(name)}/`, undefined, TagSchema, { operation });
    } catch (e) {
      if (e instanceof NotFoundError) return undefined;
      throw e;
    }
  }

  /** POST tags/ (superuser). A lost answer is settled by reading the tag back. */
  async createTag(p: { name: string; comment?: string; definition?: string; kernelOpts?: string }): Promise<Tag> {
    const operation = `create tag ${p.name}`;
    return this.change<Tag>({
      method: "POST",
      path: "tags/",
      form: { name: p.name, comment: p.comment, definition: p.definition, kernel_opts: p.kernelOpts },
      ctx: { operation },
      handle: (res, c) => parseResponse(TagSchema, jsonBody(res, c), c),
      verify: async () => {
        const t = await this.getTag(p.name, operation);
        return t ? { applied: true, value: t } : { applied: false };
      },
    });
  }

  /**
   * Tags (`add`) and untags (`remove`) machines: POST tags/{name}/?op=update_nodes (superuser). Sending it
   * twice leaves the same tags, so a lost answer is simply re-sent. MAAS counts the ids that name nodes.
   */
  async updateTagMachines(name: string, p: { add?: readonly string[]; remove?: readonly string[] }): Promise<{ added: number; removed: number }> {
    const r = await this.change({
      method: "POST",
      path: `tags/${encodeURIComponent(name)}/`,
      op: "update_nodes",
      form: { add: p.add && p.add.length ? p.add : undefined, remove: p.remove && p.remove.length ? p.remove : undefined },
      ctx: { operation: `update machines of tag ${name}` },
      handle: (res, c) => parseResponse(TagNodesResultSchema, jsonBody(res, c), c),
    });
    return { added: r.added, removed: r.removed };
  }

  /** GET tags/{name}/?op=machines: the machines carrying the tag that this key may view. */
  async machinesWithTag(name: string): Promise<Machine[]> {
    const list = await this.get(`tags/${encodeURIComponent(name)}/`, { op: "machines" }, MachineListSchema, { operation: `list machines with tag ${name}` });
    for (const m of list) this.remember(m);
    return list;
  }

  // ---------------------------------------------------------------- read-only inventories

  async listSubnets(): Promise<Subnet[]> {
    return this.get("subnets/", undefined, z.array(SubnetSchema), { operation: "list subnets" });
  }

  async listFabrics(): Promise<Fabric[]> {
    return this.get("fabrics/", undefined, z.array(FabricSchema), { operation: "list fabrics" });
  }

  async listVlans(fabricId: number): Promise<Vlan[]> {
    return this.get(`fabrics/${fabricId}/vlans/`, undefined, z.array(VlanSchema), { operation: `list VLANs of fabric ${fabricId}` });
  }

  async listBootResources(): Promise<BootResource[]> {
    return this.get("boot-resources/", undefined, z.array(BootResourceSchema), { operation: "list boot resources" });
  }
}
