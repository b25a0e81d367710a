/**
 * From a validated input file to the resources the stack program registers: a pure mapping, no
 * MAAS, no Pulumi. Issue 5, "The stack program" and "Logical names".
 *
 *   machine entry ──► MachinePlan
 *                       machine     → MaasMachine            (always)
 *                       storage?    → MaasStorageLayout      (configure_storage)
 *                       network?    → MaasBond / links       (configure_network)
 *                       deployment? → MaasDeployment         (deploy)
 *
 * `actions` decides which resources exist, never their order: the order is fixed (machine →
 * storage and network → deployment). Names here are camelCase; the file's keys are snake_case.
 */
import {
  type Action,
  type BondMode,
  type DiskRef,
  type FsType,
  type InputFile,
  type IpMode,
  type LayoutInput,
  type MachineInput,
  type StorageInput,
  BOND_DEFAULTS,
  LACP_RATE_MODES,
  XMIT_HASH_MODES,
  STORAGE_PARAM_DEFAULTS,
  Secret,
  effectiveRelease,
  formatPath,
  isAdopted,
  machineEntries,
  machineKey,
  parseDiskRef,
  parseSize,
} from "./input";

export { Secret } from "./input";
export type { DiskRef, FsType, BondMode, IpMode } from "./input";

/** Everything the stack program needs from the file. */
export interface StackPlan {
  /** `maas_api_url` from the file, if given (else the program uses `maas:apiUrl` / MAAS_API_URL). */
  maasApiUrl?: string;
  /**
   * `maas_api_key` from the file, if given (else `maas:apiKey` / MAAS_API_KEY). Wrapped: printing
   * it shows `[secret]`; hand it on only as `pulumi.secret(plan.maasApiKey.reveal())`.
   */
  maasApiKey?: Secret<string>;
  /** `list` in actions: export a stack output listing every MAAS machine. */
  listMachines: boolean;
  /** One entry per machine of the file, in file order; empty when actions is only `list`. */
  machines: MachinePlan[];
  /** File-level warnings for preview (actions out of the canonical order, unused sections). */
  warnings: string[];
}

/** One machine of the file and the resources it yields. */
export interface MachinePlan {
  /**
   * The stable logical key: `id`, else the normalised `pxe_mac` with ':' replaced by '-'
   * (`aa-bb-cc-dd-ee-ff`), else the hostname. Resource names derive from it (see `names`).
   */
  key: string;
  /** Where `key` came from. With "hostname", renaming the host replaces the machine. */
  keyKind: "id" | "mac" | "hostname";
  hostname: string;
  /** JSON path of the entry in the file (`machines[2]` or `machine`), for messages. */
  source: string;
  /** Suggested Pulumi resource names, all derived from `key` (unique within the stack). */
  names: { machine: string; storage: string; network: string; deployment: string };
  /** The MaasMachine resource; always present. */
  machine: MachineSpec;
  /** The MaasStorageLayout resource: present iff `configure_storage` is in actions and the machine or the file has `storage`. */
  storage?: StorageSpec;
  /** The network resources (bonds, VLANs, links): present iff `configure_network` is in actions and the machine or the file has `network`. */
  network?: NetworkSpec;
  /** The MaasDeployment resource: present iff `deploy` is in actions. */
  deployment?: DeploymentSpec;
  /** Machine-level warnings for preview (hostname-keyed, ignored keys). */
  warnings: string[];
}

/** Inputs of MaasMachine. */
export interface MachineSpec {
  hostname: string;
  /** Lower-case colon form; always present when `adopt` is false. */
  pxeMac?: string;
  /** `arch/subarch`, default `amd64/generic` (a bare `amd64` becomes `amd64/generic`). */
  architecture: string;
  /**
   * True: take over an existing machine found by hostname (or MAC); destroy only forgets it.
   * False: the stack enlists it (with a marker) and deletes it from MAAS on destroy.
   * From `adopt` in the file, else true when actions has `find_machine` or lacks `create_machine`,
   * or the entry has no `pxe_mac` (MAAS enlists by MAC; a warning says so).
   */
  adopt: boolean;
  /**
   * Power settings to apply, present when the entry has `power_type` and actions has
   * `set_power` or `create_machine`. `parameters` (with power_pass) is secret as a whole.
   */
  power?: { type: string; parameters: Secret<Record<string, string>> };
  commissioning: CommissioningSpec;
  /** BIOS settings kept as metadata in the machine's description (`set_bios` in actions). */
  bios?: Record<string, string>;
  /** MAAS's boot disk to set (`boot_disk`; what `set_boot_order` maps to). */
  bootDisk?: DiskRef;
}

export interface CommissioningSpec {
  /** Commission the machine: always when enlisting it; for an adopted one iff `commission` is in actions. */
  run: boolean;
  /** Wait for Ready (`wait_commissioning`, default true). */
  wait: boolean;
  /** `commission_timeout`, seconds (default 1200). */
  timeoutS: number;
  /** `commissioning_scripts`; empty = MAAS's defaults. */
  scripts: string[];
  /** `testing_scripts`; empty = MAAS's defaults. */
  testingScripts: string[];
  enableSsh: boolean;
  skipNetworking: boolean;
  skipStorage: boolean;
}

/**
 * Inputs of MaasStorageLayout. The original `params` form is expanded into this general form, so
 * the resource sees one shape. Sizes are bytes from the file's units (SI: M = 10^6, G = 10^9; or
 * MiB/GiB), not yet rounded to MAAS's 4 MiB alignment — that is the resource's job.
 */
export interface StorageSpec {
  /** Target disk: `storage.device`, else the machine's `boot_disk`, else MAAS's boot disk. */
  disk: DiskRef;
  /** Which form the file used. */
  source: "params" | "layout";
  /** Partitions in creation order (GPT). */
  partitions: PartitionSpec[];
  volumeGroups: VolumeGroupSpec[];
}

export interface PartitionSpec {
  /** Bytes, or "rest" (only the last partition). */
  sizeBytes: number | "rest";
  /** Absent: a raw partition (an LVM physical volume when a volume group names it). */
  fs?: FsType;
  mount?: string;
  bootable: boolean;
}

export interface VolumeGroupSpec {
  name: string;
  /** Indexes into `StorageSpec.partitions`. */
  partitions: number[];
  /** In creation order; a "rest" volume is last. */
  logicalVolumes: LogicalVolumeSpec[];
}

export interface LogicalVolumeSpec {
  name: string;
  sizeBytes: number | "rest";
  fs: FsType;
  mount?: string;
}

/** Inputs of the network resources. Bond parameters are resolved to MAAS's defaults. */
export interface NetworkSpec {
  bonds: BondSpec[];
  vlans: VlanSpec[];
  /** IP links, one per (interface, subnet). */
  interfaces: InterfaceLinkSpec[];
}

export interface BondSpec {
  name: string;
  /** Member interface names (at least two). */
  interfaces: string[];
  mode: BondMode;
  mtu?: number;
  miimon: number;
  updelay: number;
  downdelay: number;
  /** Only for modes that use it (802.3ad); otherwise absent and not compared. */
  lacpRate?: "fast" | "slow";
  /** Only for modes that use it (balance-xor, 802.3ad, balance-tlb); otherwise absent. */
  xmitHashPolicy?: "layer2" | "layer2+3" | "layer3+4" | "encap2+3" | "encap3+4";
}

export interface VlanSpec {
  /** `<parent>.<vid>`, the name MAAS gives the VLAN interface. */
  name: string;
  parent: string;
  vid: number;
  mtu?: number;
}

export interface InterfaceLinkSpec {
  /** Physical interface, bond or VLAN name. */
  name: string;
  mode: IpMode;
  /** CIDR; present for static and auto, optional for dhcp and link_up. */
  subnet?: string;
  /** Present iff mode is static; lies inside `subnet`. */
  ipAddress?: string;
  mtu?: number;
  defaultGateway: boolean;
}

/** Inputs of MaasDeployment. */
export interface DeploymentSpec {
  /** `distro_series`; absent = MAAS's default series. */
  distroSeries?: string;
  hweKernel?: string;
  /** cloud-init user data as written in the file (not base64). */
  userData?: string;
  /** Wait for Deployed (`wait_deployment`, default true). */
  wait: boolean;
  /** `deploy_timeout`, seconds (default 1800). */
  timeoutS: number;
  /** How the deployment is undone (destroy, replacement). */
  release: ReleaseSpec;
  /** `reprovision` token: changing it replaces the deployment (release with erase, redeploy). */
  reprovision?: string;
}

export interface ReleaseSpec {
  /** `wipe_disks` (default true) → MAAS `erase`. */
  erase: boolean;
  secureErase: boolean;
  quickErase: boolean;
  /** `wait_release` (default true). */
  wait: boolean;
  /** `release_timeout`, seconds (default 1800). */
  timeoutS: number;
}

/** Stage of each action in the fixed order; `list` stands apart. */
const STAGE: Record<Action, number> = {
  list: -1,
  create_machine: 1,
  find_machine: 1,
  set_power: 2,
  set_bios: 2,
  set_boot_order: 2,
  commission: 3,
  configure_storage: 4,
  configure_network: 4,
  deploy: 5,
  release: -1,
  delete: -1,
};

/** Map a validated input file (the `value` of a successful `validateInput`) to the stack's resources. */
export function planFromInput(input: InputFile): StackPlan {
  const actions = input.actions;
  const has = (a: Action) => actions.includes(a);
  const warnings: string[] = [];
  const machineActions = actions.filter((a) => a !== "list");
  const entries = machineEntries(input);

  const order = outOfOrder(actions);
  if (order)
    warnings.push(
      `actions: ${order} — the stack applies them in the fixed order create/find machine → power, BIOS, boot disk → commission → storage and network → deploy, whatever the order listed`,
    );
  if (machineActions.length === 0 && entries.length > 0)
    warnings.push(`${input.machines ? "machines" : "machine"}: ignored — actions is only list`);
  if (machineActions.length > 0) {
    if (input.storage && !has("configure_storage")) warnings.push("storage: ignored — configure_storage is not in actions");
    if (input.network && !has("configure_network")) warnings.push("network: ignored — configure_network is not in actions");
    if (input.release && !has("deploy")) warnings.push("release: ignored — without deploy nothing is released");
  }

  const machines = machineActions.length === 0 ? [] : entries.map(({ machine, path }) => planMachine(input, machine, formatPath(path)));
  return {
    ...(input.maas_api_url !== undefined && { maasApiUrl: input.maas_api_url }),
    ...(input.maas_api_key !== undefined && { maasApiKey: input.maas_api_key }),
    listMachines: has("list"),
    machines,
    warnings,
  };
}

function outOfOrder(actions: readonly Action[]): string | undefined {
  const staged = actions.filter((a) => STAGE[a] >= 0);
  for (let i = 0; i < staged.length; i++)
    for (let j = i + 1; j < staged.length; j++)
      if (STAGE[staged[j]!] < STAGE[staged[i]!]) return `${staged[i]} is listed before ${staged[j]} but runs after it`;
  return undefined;
}

function planMachine(input: InputFile, m: MachineInput, source: string): MachinePlan {
  const actions = input.actions;
  const has = (a: Action) => actions.includes(a);
  const warnings: string[] = [];
  const { key, keyKind } = machineKey(m);
  if (keyKind === "hostname")
    warnings.push(
      `${source} (${m.hostname}) is named by its hostname: renaming it replaces the machine's resources; give it an id (or a pxe_mac) to keep the name stable`,
    );

  const adopt = isAdopted(m, actions);
  if (adopt && m.adopt === undefined && has("create_machine") && !has("find_machine") && m.pxe_mac === undefined)
    warnings.push(`${source}: no pxe_mac, so the stack cannot enlist ${m.hostname} — it takes over the existing machine of that hostname (adopt); destroy will only forget it`);
  const managesPower = has("set_power") || (has("create_machine") && !adopt);
  if (m.power_type !== undefined && !managesPower)
    warnings.push(`${source}.power_type: ignored — add set_power to actions to manage the power settings of a machine the stack does not enlist`);
  if (m.bios !== undefined && !has("set_bios")) warnings.push(`${source}.bios: ignored — set_bios is not in actions`);
  const runCommission = has("commission") || !adopt;
  if (m.wait_commissioning === false && !runCommission) warnings.push(`${source}.wait_commissioning: has no effect — the machine is not commissioned`);

  const machine: MachineSpec = {
    hostname: m.hostname,
    ...(m.pxe_mac !== undefined && { pxeMac: m.pxe_mac }),
    architecture: m.architecture,
    adopt,
    ...(managesPower && m.power_type !== undefined && { power: { type: m.power_type, parameters: new Secret({ ...(m.power_parameters ?? {}) }) } }),
    commissioning: {
      run: runCommission,
      wait: m.wait_commissioning,
      timeoutS: m.commission_timeout,
      scripts: [...(m.commissioning_scripts ?? [])],
      testingScripts: [...(m.testing_scripts ?? [])],
      enableSsh: m.enable_ssh ?? false,
      skipNetworking: m.skip_networking ?? false,
      skipStorage: m.skip_storage ?? false,
    },
    ...(has("set_bios") && m.bios !== undefined && { bios: { ...m.bios } }),
    ...(m.boot_disk !== undefined && { bootDisk: parseDiskRef(m.boot_disk) }),
  };

  const plan: MachinePlan = {
    key,
    keyKind,
    hostname: m.hostname,
    source,
    names: { machine: key, storage: `${key}-storage`, network: `${key}-network`, deployment: `${key}-deployment` },
    machine,
    warnings,
  };

  if (has("configure_storage")) {
    const storage = storageSpec(input.storage, m.storage, m.boot_disk);
    if (storage) plan.storage = storage;
    else warnings.push(`${source}: configure_storage is in actions but neither the machine nor the file has storage — MAAS's layout stays`);
  } else if (m.storage) warnings.push(`${source}.storage: ignored — configure_storage is not in actions`);

  const network = m.network ?? input.network;
  if (has("configure_network")) {
    if (network) plan.network = networkSpec(network);
    else warnings.push(`${source}: configure_network is in actions but neither the machine nor the file has network — MAAS's interfaces stay`);
  } else if (m.network) warnings.push(`${source}.network: ignored — configure_network is not in actions`);

  if (has("deploy")) {
    const release = effectiveRelease(input, m);
    plan.deployment = {
      ...(m.distro_series !== undefined && { distroSeries: m.distro_series }),
      ...(m.hwe_kernel !== undefined && { hweKernel: m.hwe_kernel }),
      ...(m.user_data !== undefined && { userData: m.user_data }),
      wait: m.wait_deployment,
      timeoutS: m.deploy_timeout,
      release: {
        erase: release.wipe_disks,
        secureErase: release.secure_erase,
        quickErase: release.quick_erase,
        wait: release.wait_release,
        timeoutS: m.release_timeout,
      },
      ...(m.reprovision !== undefined && { reprovision: m.reprovision }),
    };
  } else {
    for (const k of ["distro_series", "hwe_kernel", "user_data", "reprovision"] as const)
      if (m[k] !== undefined) warnings.push(`${source}.${k}: ignored — deploy is not in actions`);
  }
  return plan;
}

/**
 * Merge the file's `storage` with the machine's (the machine's wins key by key; `params` merge
 * per size; a `layout` on either side replaces the other side's form) and expand to the general form.
 */
function storageSpec(top: StorageInput | undefined, own: StorageInput | undefined, bootDisk: string | undefined): StorageSpec | undefined {
  if (!top && !own) return undefined;
  const device = own?.device ?? top?.device ?? bootDisk;
  const disk: DiskRef = device !== undefined ? parseDiskRef(device) : { by: "boot" };
  const layout = own?.layout ?? (own?.params ? undefined : top?.layout);
  if (layout) return { disk, source: "layout", ...expandLayout(layout) };
  const params = { ...STORAGE_PARAM_DEFAULTS, ...(top?.layout ? {} : top?.params), ...own?.params };
  return { disk, source: "params", ...expandParams(params) };
}

function bytesOf(size: number | string): number | "rest" {
  const v = parseSize(size);
  if (v === undefined) throw new Error(`planFromInput: size ${JSON.stringify(size)} was not validated`);
  return v;
}

function expandLayout(layout: LayoutInput): Pick<StorageSpec, "partitions" | "volumeGroups"> {
  return {
    partitions: layout.partitions.map((p) => ({
      sizeBytes: bytesOf(p.size),
      ...(p.fs !== undefined && { fs: p.fs }),
      ...(p.mount !== undefined && { mount: p.mount }),
      bootable: p.bootable ?? false,
    })),
    volumeGroups: layout.volume_groups.map((vg) => ({
      name: vg.name,
      partitions: [...vg.partitions],
      logicalVolumes: vg.logical_volumes.map((lv) => ({
        name: lv.name,
        sizeBytes: bytesOf(lv.size),
        fs: lv.fs,
        ...(lv.mount !== undefined && { mount: lv.mount }),
      })),
    })),
  };
}

/** The original SDK's layout: [EFI fat32 /boot/efi] [/boot xfs] rest → PV of vg-main with root, home, var, var-log, tmp (xfs). */
function expandParams(p: Record<keyof typeof STORAGE_PARAM_DEFAULTS, number>): Pick<StorageSpec, "partitions" | "volumeGroups"> {
  const partitions: PartitionSpec[] = [];
  if (p.efi_mb > 0) partitions.push({ sizeBytes: Math.floor(p.efi_mb * 1e6), fs: "fat32", mount: "/boot/efi", bootable: true });
  if (p.boot_size_g > 0) partitions.push({ sizeBytes: Math.floor(p.boot_size_g * 1e9), fs: "xfs", mount: "/boot", bootable: false });
  partitions.push({ sizeBytes: "rest", bootable: false });
  const lvs: [string, number, string][] = [
    ["root", p.root_size_g, "/"],
    ["home", p.home_size_g, "/home"],
    ["var", p.var_size_g, "/var"],
    ["var-log", p.var_log_size_g, "/var/log"],
    ["tmp", p.tmp_size_g, "/tmp"],
  ];
  return {
    partitions,
    volumeGroups: [
      {
        name: "vg-main",
        partitions: [partitions.length - 1],
        logicalVolumes: lvs.filter(([, g]) => g > 0).map(([name, g, mount]) => ({ name, sizeBytes: Math.floor(g * 1e9), fs: "xfs" as const, mount })),
      },
    ],
  };
}

function networkSpec(net: NonNullable<InputFile["network"]>): NetworkSpec {
  return {
    bonds: net.bonds.map((b) => ({
      name: b.name,
      interfaces: [...b.interfaces],
      mode: b.mode,
      ...(b.mtu !== undefined && { mtu: b.mtu }),
      miimon: b.miimon ?? BOND_DEFAULTS.miimon,
      updelay: b.updelay ?? BOND_DEFAULTS.updelay,
      downdelay: b.downdelay ?? BOND_DEFAULTS.downdelay,
      ...(LACP_RATE_MODES.includes(b.mode) && { lacpRate: b.lacp_rate ?? BOND_DEFAULTS.lacp_rate }),
      ...(XMIT_HASH_MODES.includes(b.mode) && { xmitHashPolicy: b.xmit_hash_policy ?? BOND_DEFAULTS.xmit_hash_policy }),
    })),
    vlans: net.vlans.map((v) => ({ name: `${v.parent}.${v.vid}`, parent: v.parent, vid: v.vid, ...(v.mtu !== undefined && { mtu: v.mtu }) })),
    interfaces: net.interfaces.map((i) => ({
      name: i.name,
      mode: i.ip_mode,
      ...(i.subnet !== undefined && { subnet: i.subnet }),
      ...(i.ip_address !== undefined && { ipAddress: i.ip_address }),
      ...(i.mtu !== undefined && { mtu: i.mtu }),
      defaultGateway: i.default_gateway ?? false,
    })),
  };
}
