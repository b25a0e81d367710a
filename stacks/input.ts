/**
 * The operator's input file: one zod schema (`InputFileSchema`) that the stack program, the CLI and
 * the property tests all validate with, and from which `stacks/input.schema.json` is generated
 * (`tools/gen-schema.ts`).
 *
 * It accepts every key of the original SDK's JSON format (`../shared/seed-sdk.md`) and our
 * extensions (`id`, `adopt`, `bios`, `boot_disk`, `reprovision`, the general storage `layout`, ...).
 * The file format is documented in `stacks/README-input.md`.
 *
 * Pure data: nothing here talks to MAAS or Pulumi. A bad file is rejected with one
 * `{path, message}` per problem, the path written like `machines[1].network.bonds[0].mode`.
 * The API key's value (and BMC passwords) never appear in any message.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import * as YAML from "yaml";

// ---------------------------------------------------------------------------------------------
// Constants of MAAS. Checked against MAAS 3.x: src/maasserver/enum.py (bond modes, lacp rates,
// hash policies), src/maasserver/forms/interface.py (form defaults), src/maasserver/enum.py
// FILESYSTEM_FORMAT_TYPE_CHOICES, src/provisioningserver/drivers/power/registry.py (power types).
// ---------------------------------------------------------------------------------------------

/** The original SDK's action names, in the canonical order the stack applies them. */
export const ACTIONS = [
  "list",
  "create_machine",
  "find_machine",
  "set_power",
  "set_bios",
  "set_boot_order",
  "commission",
  "configure_storage",
  "configure_network",
  "deploy",
  "release",
  "delete",
] as const;
export type Action = (typeof ACTIONS)[number];

/** Bond modes MAAS accepts (`bond_mode`). MAAS's default when omitted is `balance-rr`. */
export const BOND_MODES = [
  "balance-rr",
  "active-backup",
  "balance-xor",
  "broadcast",
  "802.3ad",
  "balance-tlb",
  "balance-alb",
] as const;
export type BondMode = (typeof BOND_MODES)[number];
/** Modes in which the kernel uses `lacp_rate`. */
export const LACP_RATE_MODES: readonly BondMode[] = ["802.3ad"];
/** Modes in which the kernel uses `xmit_hash_policy`. */
export const XMIT_HASH_MODES: readonly BondMode[] = ["balance-xor", "802.3ad", "balance-tlb"];
export const LACP_RATES = ["fast", "slow"] as const;
export const XMIT_HASH_POLICIES = ["layer2", "layer2+3", "layer3+4", "encap2+3", "encap3+4"] as const;
/** MAAS's stored defaults for bond parameters (forms/interface.py; the API docstring is wrong). */
export const BOND_DEFAULTS = {
  mode: "balance-rr" as BondMode,
  miimon: 100,
  updelay: 0,
  downdelay: 0,
  lacp_rate: "fast" as (typeof LACP_RATES)[number],
  xmit_hash_policy: "layer2" as (typeof XMIT_HASH_POLICIES)[number],
};
export const IP_MODES = ["static", "dhcp", "auto", "link_up"] as const;
export type IpMode = (typeof IP_MODES)[number];
/** Filesystems MAAS can `format` a partition or LV with (ramfs/tmpfs are special mounts, left out). */
export const FS_TYPES = ["ext2", "ext4", "xfs", "btrfs", "fat32", "vfat", "swap", "zfsroot"] as const;
export type FsType = (typeof FS_TYPES)[number];
/** Power drivers of MAAS 3.x. */
export const POWER_TYPES = [
  "amt", "apc", "dli", "eaton", "hmc", "hmcz", "ipmi", "lxd", "manual", "moonshot", "mscm",
  "msftocs", "nova", "openbmc", "proxmox", "recs_box", "redfish", "sm15k", "ucsm", "virsh",
  "vmware", "webhook", "wedge",
] as const;

/** Defaults of the original SDK's storage `params` (sizes: MB = 10^6 bytes, GB = 10^9 bytes). */
export const STORAGE_PARAM_DEFAULTS = {
  efi_mb: 512,
  boot_size_g: 2,
  root_size_g: 50,
  home_size_g: 10,
  var_size_g: 10,
  var_log_size_g: 10,
  tmp_size_g: 10,
} as const;
export const RELEASE_DEFAULTS = { wipe_disks: true, secure_erase: false, quick_erase: false, wait_release: true } as const;
export const TIMEOUT_DEFAULTS = { commission_timeout: 1200, deploy_timeout: 1800, release_timeout: 1800 } as const;
/** MAAS's smallest partition / logical volume (PARTITION_ALIGNMENT_SIZE, MIN_BLOCK_DEVICE_SIZE). */
export const MIN_VOLUME_BYTES = 4 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Secrets
// ---------------------------------------------------------------------------------------------

const REDACTED = "[secret]";

/**
 * A value that must not be shown: `toString`, `toJSON` and `util.inspect` print `[secret]`.
 * Call `reveal()` only to hand it to Pulumi as a secret (`pulumi.secret(x.reveal())`).
 */
export class Secret<T> {
  readonly #value: T;
  constructor(value: T) {
    this.#value = value;
  }
  reveal(): T {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return REDACTED;
  }
}

/** Keys of `power_parameters` whose values are treated as secret in messages. */
const SECRET_PARAM_KEY = /pass|secret|token|key/i;

// ---------------------------------------------------------------------------------------------
// Small parsers shared by the schema and the plan
// ---------------------------------------------------------------------------------------------

/** MAC in colon, dash, Cisco-dot or bare form. */
const MAC_RE = /^(?:(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}|[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}|[0-9A-Fa-f]{12})$/;

/** Normalise a MAC to lower-case colon form (`aa:bb:cc:dd:ee:ff`). */
export function normalizeMac(mac: string): string {
  const hex = mac.replace(/[^0-9A-Fa-f]/g, "").toLowerCase();
  return hex.match(/../g)!.join(":");
}

export interface ParsedIp {
  family: 4 | 6;
  value: bigint;
}

/** Parse an IPv4 (dotted quad, no leading zeros) or IPv6 address; undefined when invalid. */
export function parseIp(text: string): ParsedIp | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  if (v6 !== undefined) return { family: 6, value: v6 };
  return undefined;
}

function parseIpv4(text: string): bigint | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  let value = 0n;
  for (const part of m.slice(1)) {
    if (part.length > 1 && part.startsWith("0")) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || text.length < 2) return undefined;
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(":");
  if (text.slice(lastColon + 1).includes(".")) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = text.slice(0, lastColon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) return undefined;
  const group = (s: string): string[] | undefined => {
    if (s === "") return [];
    const parts = s.split(":");
    return parts.every((p) => /^[0-9A-Fa-f]{1,4}$/.test(p)) ? parts : undefined;
  };
  const left = group(halves[0]!);
  const right = halves.length === 2 ? group(halves[1]!) : [];
  if (!left || !right) return undefined;
  let groups: string[];
  if (halves.length === 2) {
    const missing = 8 - left.length - right.length;
    if (missing < 1) return undefined;
    groups = [...left, ...Array<string>(missing).fill("0"), ...right];
  } else {
    groups = left;
  }
  if (groups.length !== 8) return undefined;
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(parseInt(g, 16));
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | tailV4;
  return value;
}

export interface ParsedCidr {
  family: 4 | 6;
  network: bigint;
  prefix: number;
  bits: number;
}

/** Parse `10.0.0.0/24` or `2001:db8::/64`; undefined when invalid. `hostBits` true when bits are set past the prefix. */
export function parseCidr(text: string): (ParsedCidr & { hostBits: boolean }) | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const ip = parseIp(m[1]!);
  if (!ip) return undefined;
  const bits = ip.family === 4 ? 32 : 128;
  const prefix = Number(m[2]);
  if (prefix > bits || (m[2]!.length > 1 && m[2]!.startsWith("0"))) return undefined;
  const hostMask = (1n << BigInt(bits - prefix)) - 1n;
  return { family: ip.family, network: ip.value & ~hostMask, prefix, bits, hostBits: (ip.value & hostMask) !== 0n };
}

function formatIp(family: 4 | 6, value: bigint): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join(".");
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((value >> s) & 0xffffn).toString(16));
  return groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::");
}

/** Where `ip` lies relative to `cidr`. */
export function ipInSubnet(ip: ParsedIp, cidr: ParsedCidr): "inside" | "outside" | "network" | "broadcast" | "family" {
  if (ip.family !== cidr.family) return "family";
  const hostBits = BigInt(cidr.bits - cidr.prefix);
  if (ip.value >> hostBits !== cidr.network >> hostBits) return "outside";
  if (ip.family === 4 && cidr.prefix < 31) {
    if (ip.value === cidr.network) return "network";
    if (ip.value === cidr.network + (1n << hostBits) - 1n) return "broadcast";
  }
  return "inside";
}

const SIZE_RE = /^\s*(\d+(?:\.\d+)?)\s*(?:([KMGTkmgt])(iB|B|b)?|B|b)?\s*$/;
const SIZE_PATTERN = "^\\s*(rest|\\d+(\\.\\d+)?\\s*([KMGTkmgt](iB|B|b)?|B|b)?)\\s*$";

/**
 * A size from the file in bytes: a number is bytes; a string may carry a suffix K/M/G/T (SI,
 * 10^3 steps, as MAAS reads them) or KiB/MiB/GiB/TiB (2^10 steps); "rest" is the remaining space.
 */
export function parseSize(size: number | string): number | "rest" | undefined {
  if (typeof size === "number") return Number.isInteger(size) && size > 0 ? size : undefined;
  if (size.trim() === "rest") return "rest";
  const m = SIZE_RE.exec(size);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = (m[2] ?? "").toUpperCase();
  const binary = m[3] === "iB";
  const exp = ["", "K", "M", "G", "T"].indexOf(unit);
  const bytes = Math.floor(n * (binary ? 1024 : 1000) ** exp);
  return bytes > 0 ? bytes : undefined;
}

/** How the file names a disk. */
export type DiskRef = { by: "name"; name: string } | { by: "serial"; serial: string } | { by: "boot" };

const DISK_NAME_RE = /^(?:sd[a-z]+|vd[a-z]+|hd[a-z]+|xvd[a-z]+|nvme\d+n\d+|mmcblk\d+|md\d+)$/;
const DISK_TEXT_RE = /^(?:\/dev\/[A-Za-z0-9._-]+|(?:name:|serial:)?[A-Za-z0-9._-]+)$/;

/**
 * `/dev/sda` and kernel-style names (`sda`, `vdb`, `nvme0n1`, `mmcblk0`) are device names;
 * anything else is a serial number. `name:` / `serial:` prefixes make it explicit.
 */
export function parseDiskRef(text: string): DiskRef {
  if (text.startsWith("/dev/")) return { by: "name", name: text.slice(5) };
  if (text.startsWith("name:")) return { by: "name", name: text.slice(5) };
  if (text.startsWith("serial:")) return { by: "serial", serial: text.slice(7) };
  if (DISK_NAME_RE.test(text)) return { by: "name", name: text };
  return { by: "serial", serial: text };
}

// ---------------------------------------------------------------------------------------------
// The schema
// ---------------------------------------------------------------------------------------------

const HOSTNAME_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const ID_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IFNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,14}$/;
const LVM_NAME_RE = /^[A-Za-z0-9+_.][A-Za-z0-9+_.-]{0,126}$/;
const MOUNT_RE = /^\/(?:[^\s/]+(?:\/[^\s/]+)*)?$/;
const PARAM_KEY_RE = /^[A-Za-z0-9_.-]+$/;

const nonEmpty = (what: string) => z.string().min(1, `${what} must not be empty`);
const seconds = (def: number, what: string) =>
  z
    .number()
    .int(`${what} must be a whole number of seconds`)
    .positive(`${what} must be more than 0 seconds`)
    .max(7 * 24 * 3600, `${what} must be at most a week (604800 seconds)`)
    .default(def)
    .describe(`${what}, in seconds (default ${def})`);
/** Object of strings; numbers and booleans are accepted and turned into strings. */
const stringMap = (what: string) =>
  z.record(
    z.string().regex(PARAM_KEY_RE, `${what} keys may hold only letters, digits, '_', '.' and '-'`),
    z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v)),
  );
const size = z
  .union([z.number().int("a size in bytes must be a whole number").positive("must be more than 0"), z.string().regex(new RegExp(SIZE_PATTERN), 'must be a size such as "512M", "2G", "1.5T", "4GiB" or "rest"')], {
    error: 'must be a size: bytes as a number, a string such as "512M", "2G", "1.5T", "4GiB", or "rest"',
  })
  .superRefine((v, ctx) => {
    const bytes = parseSize(v);
    if (bytes !== undefined && bytes !== "rest" && bytes < MIN_VOLUME_BYTES)
      ctx.addIssue({
        code: "custom",
        message: `is ${bytes} bytes, below MAAS's minimum of 4 MiB (${MIN_VOLUME_BYTES} bytes); a bare number is bytes — did you mean "${v}G"?`,
      });
  })
  .describe('Bytes (number), a string with an SI suffix ("512M", "2G"; M = 10^6), a binary one ("4GiB"), or "rest"');

const mount = z
  .string()
  .regex(MOUNT_RE, "must be an absolute path such as /var/log (no spaces, no trailing '/')")
  .describe("Mount point (absolute path)");
const fsType = z.enum(FS_TYPES).describe("Filesystem");

const StorageParamsSchema = z
  .strictObject({
    efi_mb: z.number().nonnegative().optional().meta({ default: 512, description: "EFI system partition (FAT32, /boot/efi), MB (10^6 bytes); 0 = none" }),
    boot_size_g: z.number().nonnegative().optional().meta({ default: 2, description: "/boot (XFS), GB (10^9 bytes); 0 = none" }),
    root_size_g: z.number().positive().optional().meta({ default: 50, description: "vg-main/root (XFS, /), GB" }),
    home_size_g: z.number().nonnegative().optional().meta({ default: 10, description: "vg-main/home (XFS, /home), GB; 0 = none" }),
    var_size_g: z.number().nonnegative().optional().meta({ default: 10, description: "vg-main/var (XFS, /var), GB; 0 = none" }),
    var_log_size_g: z.number().nonnegative().optional().meta({ default: 10, description: "vg-main/var-log (XFS, /var/log), GB; 0 = none" }),
    tmp_size_g: z.number().nonnegative().optional().meta({ default: 10, description: "vg-main/tmp (XFS, /tmp), GB; 0 = none" }),
  })
  .superRefine((p, ctx) => {
    const check = (key: keyof typeof p, unit: number) => {
      const v = p[key];
      if (v !== undefined && v > 0 && v * unit < MIN_VOLUME_BYTES)
        ctx.addIssue({ code: "custom", path: [key], message: `is smaller than MAAS's minimum volume of 4 MiB; use 0 to leave it out` });
    };
    check("efi_mb", 1e6);
    for (const k of ["boot_size_g", "root_size_g", "home_size_g", "var_size_g", "var_log_size_g", "tmp_size_g"] as const) check(k, 1e9);
  })
  .meta({ id: "StorageParams", description: "The original SDK's layout: EFI + /boot + LVM PV on the rest (vg-main)" });

const PartitionSchema = z.strictObject({
  size: size,
  fs: fsType.optional().describe("Filesystem; omit for a raw partition (e.g. an LVM physical volume)"),
  mount: mount.optional(),
  bootable: z.boolean().optional().describe("Set the partition's bootable flag (the EFI system partition)"),
});
const LogicalVolumeSchema = z.strictObject({
  name: z.string().regex(LVM_NAME_RE, "must be an LVM name: letters, digits, '+', '_', '.', '-' (not starting with '-')"),
  size: size,
  fs: fsType,
  mount: mount.optional(),
});
const VolumeGroupSchema = z.strictObject({
  name: z.string().regex(LVM_NAME_RE, "must be an LVM name: letters, digits, '+', '_', '.', '-' (not starting with '-')"),
  partitions: z
    .array(z.number().int("must be a whole number").nonnegative("must be 0 or more"))
    .min(1, "a volume group needs at least one partition")
    .describe("Indexes into layout.partitions (0-based, as in the JSON path layout.partitions[2])"),
  logical_volumes: z.array(LogicalVolumeSchema).default([]),
});

const LayoutSchema = z
  .strictObject({
    partitions: z.array(PartitionSchema).min(1, "a layout needs at least one partition"),
    volume_groups: z.array(VolumeGroupSchema).default([]),
  })
  .superRefine(checkLayout)
  .meta({ id: "StorageLayout", description: "A general layout: partitions on the disk, LVM volume groups on some of them" });

const StorageSchema = z
  .strictObject({
    device: nonEmpty("device")
      .regex(DISK_TEXT_RE, 'must be a device name ("sda", "/dev/sda", "nvme0n1") or a serial number')
      .optional()
      .describe('Target disk: "/dev/sda", "sda", a serial, or "serial:…"/"name:…"; default: the machine\'s boot_disk, else MAAS\'s boot disk'),
    params: StorageParamsSchema.optional(),
    layout: LayoutSchema.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.params && s.layout)
      ctx.addIssue({ code: "custom", path: ["layout"], message: "give either params (the original layout) or layout (a general one), not both" });
  })
  .meta({ id: "Storage" });

const BondSchema = z.strictObject({
  name: z.string().regex(IFNAME_RE, "must be an interface name: letters, digits, '.', '_', '-', at most 15 characters"),
  interfaces: z
    .array(z.string().regex(IFNAME_RE, "must be an interface name: letters, digits, '.', '_', '-', at most 15 characters"))
    .min(2, "a bond needs at least two interfaces"),
  mode: z.enum(BOND_MODES).default("balance-rr").describe("Bond mode (MAAS default balance-rr)"),
  mtu: z.number().int("must be a whole number").min(552, "MAAS's smallest MTU is 552").max(65535, "must be at most 65535").optional(),
  miimon: z.number().int("must be a whole number").nonnegative("must be 0 or more").optional().meta({ default: 100 }),
  updelay: z.number().int("must be a whole number").nonnegative("must be 0 or more").optional().meta({ default: 0 }),
  downdelay: z.number().int("must be a whole number").nonnegative("must be 0 or more").optional().meta({ default: 0 }),
  lacp_rate: z.enum(LACP_RATES).optional().meta({ default: "fast", description: "Used by 802.3ad only" }),
  xmit_hash_policy: z.enum(XMIT_HASH_POLICIES).optional().meta({ default: "layer2", description: "Used by balance-xor, 802.3ad, balance-tlb" }),
});
const VlanSchema = z.strictObject({
  parent: z.string().regex(IFNAME_RE, "must be an interface name: letters, digits, '.', '_', '-', at most 15 characters"),
  vid: z.number().int("must be a whole number").min(1, "VLAN ids run from 1 to 4094").max(4094, "VLAN ids run from 1 to 4094"),
  mtu: z.number().int("must be a whole number").min(552, "MAAS's smallest MTU is 552").max(65535, "must be at most 65535").optional(),
});
const InterfaceSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/, "must be an interface name such as eth0, bond0 or bond0.100")
    .describe("A physical interface, a bond or a VLAN (<parent>.<vid>)"),
  subnet: z
    .string()
    .refine((s) => parseCidr(s) !== undefined, "must be a subnet in CIDR form such as 10.0.0.0/24")
    .optional()
    .describe("Subnet CIDR (required for static and auto)"),
  ip_mode: z.enum(IP_MODES),
  ip_address: z
    .string()
    .refine((s) => parseIp(s) !== undefined, "must be an IPv4 or IPv6 address such as 10.0.0.10")
    .optional()
    .describe("Required with ip_mode static, only then"),
  mtu: z.number().int("must be a whole number").min(552, "MAAS's smallest MTU is 552").max(65535, "must be at most 65535").optional(),
  default_gateway: z.boolean().optional().describe("Use this subnet's gateway as the default (static and auto only)"),
});

const NetworkSchema = z
  .strictObject({
    bonds: z.array(BondSchema).default([]),
    vlans: z.array(VlanSchema).default([]),
    interfaces: z.array(InterfaceSchema).default([]),
  })
  .superRefine(checkNetwork)
  .meta({ id: "Network" });

const ReleaseSchema = z
  .strictObject({
    wipe_disks: z.boolean().optional().meta({ default: true, description: "Erase disks on release" }),
    secure_erase: z.boolean().optional().meta({ default: false }),
    quick_erase: z.boolean().optional().meta({ default: false }),
    wait_release: z.boolean().optional().meta({ default: true }),
  })
  .superRefine((r, ctx) => {
    for (const k of ["secure_erase", "quick_erase"] as const)
      if (r[k] === true && r.wipe_disks === false)
        ctx.addIssue({ code: "custom", path: [k], message: `${k} erases disks, but wipe_disks is false here` });
  })
  .meta({ id: "Release" });

const MachineSchema = z
  .strictObject({
    id: z
      .string()
      .regex(ID_RE, "must be lower-case letters, digits and '-', 1–63 characters, not starting or ending with '-'")
      .optional()
      .describe("Stable key for the machine's resources (else pxe_mac, else hostname)"),
    hostname: z
      .string()
      .regex(HOSTNAME_RE, "must be a DNS label: letters, digits and '-', 1–63 characters, not starting or ending with '-', no domain"),
    pxe_mac: z
      .string()
      .regex(MAC_RE, 'must be a MAC address such as "aa:bb:cc:dd:ee:ff"')
      .transform(normalizeMac)
      .optional()
      .describe("MAC of the PXE interface (any common notation; stored as aa:bb:cc:dd:ee:ff)"),
    architecture: z
      .string()
      .regex(/^[a-z0-9_]+(?:\/[a-z0-9_.-]+)?$/, 'must be an architecture such as "amd64/generic" or "arm64"')
      .refine((a) => !/\/(?:hwe|ga)-/.test(a), "an hwe-/ga- kernel is not an architecture: put it in hwe_kernel")
      .transform((a) => (a.includes("/") ? a : `${a}/generic`))
      .default("amd64/generic"),
    power_type: z.enum(POWER_TYPES).optional(),
    power_parameters: stringMap("power_parameters").optional().describe("BMC parameters (power_address, power_user, power_pass, ...); secret"),
    distro_series: z.string().regex(/^[a-z0-9][a-z0-9./-]*$/i, 'must be a series such as "jammy", "ubuntu/jammy" or "22.04"').optional(),
    hwe_kernel: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'must be a kernel such as "hwe-22.04" or "ga-22.04"').optional(),
    user_data: z.string().optional().describe("cloud-init user data (plain text)"),
    commissioning_scripts: z.array(nonEmpty("a script name")).optional(),
    testing_scripts: z.array(nonEmpty("a script name")).optional(),
    enable_ssh: z.boolean().optional(),
    skip_networking: z.boolean().optional(),
    skip_storage: z.boolean().optional(),
    wait_commissioning: z.boolean().default(true),
    commission_timeout: seconds(TIMEOUT_DEFAULTS.commission_timeout, "commission_timeout"),
    wait_deployment: z.boolean().default(true),
    deploy_timeout: seconds(TIMEOUT_DEFAULTS.deploy_timeout, "deploy_timeout"),
    wait_release: z.boolean().optional().meta({ default: true }),
    release_timeout: seconds(TIMEOUT_DEFAULTS.release_timeout, "release_timeout"),
    adopt: z.boolean().optional().describe("Take over a machine this stack did not enlist (destroy only forgets it)"),
    bios: stringMap("bios").optional().describe("BIOS settings, kept as metadata in the machine's description"),
    boot_disk: nonEmpty("boot_disk")
      .regex(DISK_TEXT_RE, 'must be a device name ("sda", "/dev/sda") or a serial number')
      .optional()
      .describe("Disk to make MAAS's boot disk (what set_boot_order maps to)"),
    reprovision: nonEmpty("reprovision").max(256, "must be at most 256 characters").optional().describe("Change it to release, erase and redeploy"),
    storage: StorageSchema.optional(),
    network: NetworkSchema.optional(),
    release: ReleaseSchema.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.power_parameters && !m.power_type)
      ctx.addIssue({ code: "custom", path: ["power_type"], message: "required when power_parameters is given" });
    if (m.wait_release !== undefined && m.release?.wait_release !== undefined && m.wait_release !== m.release.wait_release)
      ctx.addIssue({ code: "custom", path: ["wait_release"], message: "contradicts release.wait_release of the same machine" });
  })
  .meta({ id: "Machine" });

const ActionsSchema = z
  .array(z.enum(ACTIONS))
  .min(1, "list at least one action")
  .superRefine((actions, ctx) => {
    actions.forEach((a, i) => {
      if (a === "release")
        ctx.addIssue({
          code: "custom",
          path: [i],
          message:
            "`release` is a command, not a desired state: release a machine with `pulumi destroy --target <URN of its <key>-deployment resource>` " +
            "(list URNs with `pulumi stack --show-urns`) or the CLI's `-a release --hosts <hostname>`; to re-provision, change the machine's " +
            "`reprovision` token (or `pulumi up --replace <URN>`). Remove `release` from actions.",
        });
      if (a === "delete")
        ctx.addIssue({
          code: "custom",
          path: [i],
          message:
            "`delete` is a command, not a desired state: give machines back with `pulumi destroy --target <URN of the machine resource> --target-dependents` " +
            "(list URNs with `pulumi stack --show-urns`) or the CLI's `-a delete --hosts <hostname>`. Remove `delete` from actions.",
        });
    });
  })
  .describe("Which resources exist (never their order): " + ACTIONS.join(", "));

const InputFileObject = z.strictObject({
    $schema: z.string().optional().describe("Optional reference to this schema, for editors"),
    $comment: z.union([z.string(), z.array(z.string())]).optional().describe("Free text, ignored (JSON has no comments)"),
    maas_api_url: z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL such as http://maas.example:5240/MAAS" })
      .refine((u) => {
        try {
          const url = new URL(u);
          return url.username === "" && url.password === "";
        } catch {
          return false;
        }
      }, "must not carry credentials: put the key in maas_api_key or maas:apiKey")
      .optional()
      .describe("MAAS URL, e.g. http://10.0.0.1:5240/MAAS (else maas:apiUrl / MAAS_API_URL)"),
    maas_api_key: z
      .string()
      .regex(/^[^:\s]+:[^:\s]+:[^:\s]+$/, "must be a MAAS API key of the form consumer:token:secret (three parts separated by ':'); the value is not shown")
      .transform((k) => new Secret(k))
      .optional()
      .describe("MAAS API key consumer:token:secret (else maas:apiKey / MAAS_API_KEY); secret"),
    actions: ActionsSchema,
    machine: MachineSchema.optional(),
    machines: z.array(MachineSchema).optional(),
    storage: StorageSchema.optional().describe("Default storage for every machine; a machine's own storage overrides it key by key"),
    network: NetworkSchema.optional().describe("Default network for every machine; a machine's own network replaces it"),
    release: ReleaseSchema.optional().describe("Default release options; a machine's own release overrides them key by key"),
});
type InputFileBase = z.output<typeof InputFileObject>;

/** The whole input file. */
export const InputFileSchema = InputFileObject.superRefine(checkFile).meta({
  id: "InputFile",
  title: "maas-automation input file",
  description: "Input file of maas-automation (the original SDK's JSON format plus extensions); see stacks/README-input.md",
});

export type InputFile = z.output<typeof InputFileSchema>;
export type MachineInput = z.output<typeof MachineSchema>;
export type StorageInput = z.output<typeof StorageSchema>;
export type LayoutInput = z.output<typeof LayoutSchema>;
export type NetworkInput = z.output<typeof NetworkSchema>;
export type BondInput = z.output<typeof BondSchema>;
export type ReleaseInput = z.output<typeof ReleaseSchema>;

// ---------------------------------------------------------------------------------------------
// Cross-field rules
// ---------------------------------------------------------------------------------------------

type Ctx = z.RefinementCtx;
type Seg = string | number;
const issue = (ctx: Ctx, p: Seg[], message: string) => ctx.addIssue({ code: "custom", path: p, message });

function checkLayout(
  layout: { partitions: z.output<typeof PartitionSchema>[]; volume_groups: z.output<typeof VolumeGroupSchema>[] },
  ctx: Ctx,
): void {
  const mounts = new Map<string, string>();
  const addMount = (m: string | undefined, p: Seg[]) => {
    if (m === undefined) return;
    const prev = mounts.get(m);
    if (prev) issue(ctx, p, `${m} is already mounted by ${prev}`);
    else mounts.set(m, formatPath(p.slice(0, -1)));
  };
  const n = layout.partitions.length;
  layout.partitions.forEach((part, i) => {
    if (part.size === "rest" || (typeof part.size === "string" && part.size.trim() === "rest"))
      if (i !== n - 1) issue(ctx, ["partitions", i, "size"], `only the last partition may take the "rest" of the disk`);
    checkFsMount(part.fs, part.mount, ["partitions", i], ctx);
    addMount(part.mount, ["partitions", i, "mount"]);
  });
  const owner = new Map<number, number>();
  const vgNames = new Set<string>();
  layout.volume_groups.forEach((vg, v) => {
    if (vgNames.has(vg.name)) issue(ctx, ["volume_groups", v, "name"], `volume group ${vg.name} is defined twice`);
    vgNames.add(vg.name);
    vg.partitions.forEach((ref, j) => {
      const at = ["volume_groups", v, "partitions", j];
      if (ref >= n) return issue(ctx, at, `refers to partitions[${ref}], but the layout has ${n} partition(s) (indexes start at 0)`);
      const part = layout.partitions[ref]!;
      if (part.fs !== undefined || part.mount !== undefined)
        issue(ctx, at, `partitions[${ref}] has a filesystem or mount point; an LVM physical volume must have neither`);
      const prev = owner.get(ref);
      if (prev === v) issue(ctx, at, `partitions[${ref}] is listed twice`);
      else if (prev !== undefined) issue(ctx, at, `partitions[${ref}] is already in volume_groups[${prev}]`);
      else owner.set(ref, v);
    });
    const lvNames = new Set<string>();
    vg.logical_volumes.forEach((lv, l) => {
      const at: Seg[] = ["volume_groups", v, "logical_volumes", l];
      if (lvNames.has(lv.name)) issue(ctx, [...at, "name"], `logical volume ${lv.name} is defined twice in ${vg.name}`);
      lvNames.add(lv.name);
      if (parseSize(lv.size) === "rest" && l !== vg.logical_volumes.length - 1)
        issue(ctx, [...at, "size"], `only the last logical volume of a volume group may take the "rest"`);
      checkFsMount(lv.fs, lv.mount, at, ctx);
      addMount(lv.mount, [...at, "mount"]);
    });
  });
  if (!mounts.has("/")) issue(ctx, [], "nothing is mounted at /: a partition or logical volume needs mount \"/\"");
}

function checkFsMount(fsT: FsType | undefined, m: string | undefined, at: Seg[], ctx: Ctx): void {
  if (m === undefined) return;
  if (fsT === undefined) issue(ctx, [...at, "mount"], "a mount point needs a filesystem (fs)");
  else if (fsT === "swap") issue(ctx, [...at, "mount"], "swap is not mounted: remove mount");
  else if (fsT === "zfsroot" && m !== "/") issue(ctx, [...at, "mount"], "zfsroot can only be mounted at /");
}

function checkNetwork(net: { bonds: BondInput[]; vlans: z.output<typeof VlanSchema>[]; interfaces: z.output<typeof InterfaceSchema>[] }, ctx: Ctx): void {
  const bondByName = new Map<string, number>();
  const memberOf = new Map<string, number>();
  const mtuOf = new Map<string, { mtu: number; at: string }>();
  net.bonds.forEach((b, i) => {
    if (bondByName.has(b.name)) issue(ctx, ["bonds", i, "name"], `bond ${b.name} is defined twice (bonds[${bondByName.get(b.name)}])`);
    else bondByName.set(b.name, i);
    if (b.mtu !== undefined) mtuOf.set(b.name, { mtu: b.mtu, at: `bonds[${i}].mtu` });
  });
  net.bonds.forEach((b, i) => {
    const seen = new Set<string>();
    b.interfaces.forEach((ifname, j) => {
      const at = ["bonds", i, "interfaces", j];
      if (seen.has(ifname)) return issue(ctx, at, `${ifname} is listed twice in ${b.name}`);
      seen.add(ifname);
      if (ifname === b.name) return issue(ctx, at, `a bond cannot contain itself`);
      if (bondByName.has(ifname)) return issue(ctx, at, `${ifname} is a bond; MAAS cannot bond bonds`);
      const prev = memberOf.get(ifname);
      if (prev !== undefined && prev !== i) return issue(ctx, at, `${ifname} is already a member of bonds[${prev}] (${net.bonds[prev]!.name})`);
      memberOf.set(ifname, i);
    });
  });
  const vlanNames = new Map<string, number>();
  net.vlans.forEach((v, i) => {
    const name = `${v.parent}.${v.vid}`;
    if (vlanNames.has(name)) issue(ctx, ["vlans", i, "vid"], `VLAN ${v.vid} on ${v.parent} is defined twice (vlans[${vlanNames.get(name)}])`);
    vlanNames.set(name, i);
    const bond = memberOf.get(v.parent);
    if (bond !== undefined)
      issue(ctx, ["vlans", i, "parent"], `${v.parent} is a member of ${net.bonds[bond]!.name}: put the VLAN on ${net.bonds[bond]!.name}`);
    if (v.parent.includes(".") && !bondByName.has(v.parent)) {
      if (vlanNames.has(v.parent)) issue(ctx, ["vlans", i, "parent"], `${v.parent} is a VLAN; MAAS does not stack VLANs`);
    }
    const parentMtu = mtuOf.get(v.parent);
    if (v.mtu !== undefined && parentMtu && v.mtu > parentMtu.mtu)
      issue(ctx, ["vlans", i, "mtu"], `${v.mtu} is larger than the MTU of its parent ${v.parent} (${parentMtu.mtu}, ${parentMtu.at})`);
    if (v.mtu !== undefined) mtuOf.set(name, { mtu: v.mtu, at: `vlans[${i}].mtu` });
  });
  const links = new Map<string, number>();
  const gateways = new Map<number, number>();
  net.interfaces.forEach((itf, i) => {
    const at = (k: string): Seg[] => ["interfaces", i, k];
    const bond = memberOf.get(itf.name);
    if (bond !== undefined)
      issue(ctx, at("name"), `${itf.name} is a member of ${net.bonds[bond]!.name}; MAAS drops a bond member's links — configure ${net.bonds[bond]!.name} instead`);
    const linkKey = `${itf.name} ${itf.subnet ?? ""}`;
    if (links.has(linkKey))
      issue(ctx, at("subnet"), `${itf.name} is already linked to ${itf.subnet ?? "no subnet"} by interfaces[${links.get(linkKey)}]`);
    links.set(linkKey, i);
    const cidr = itf.subnet !== undefined ? parseCidr(itf.subnet) : undefined;
    if (cidr?.hostBits)
      issue(ctx, at("subnet"), `${itf.subnet} has host bits set; did you mean ${formatIp(cidr.family, cidr.network)}/${cidr.prefix}?`);
    if ((itf.ip_mode === "static" || itf.ip_mode === "auto") && itf.subnet === undefined)
      issue(ctx, at("subnet"), `required with ip_mode ${itf.ip_mode}`);
    if (itf.ip_mode === "static") {
      if (itf.ip_address === undefined) issue(ctx, at("ip_address"), "required with ip_mode static");
    } else if (itf.ip_address !== undefined) {
      issue(ctx, at("ip_address"), `only used with ip_mode static (this one is ${itf.ip_mode})`);
    }
    const ip = itf.ip_address !== undefined ? parseIp(itf.ip_address) : undefined;
    if (ip && cidr && !cidr.hostBits) {
      const where = ipInSubnet(ip, cidr);
      if (where === "family") issue(ctx, at("ip_address"), `${itf.ip_address} and subnet ${itf.subnet} are of different IP versions`);
      else if (where === "outside") issue(ctx, at("ip_address"), `${itf.ip_address} is not inside subnet ${itf.subnet}`);
      else if (where === "network") issue(ctx, at("ip_address"), `${itf.ip_address} is the network address of ${itf.subnet}`);
      else if (where === "broadcast") issue(ctx, at("ip_address"), `${itf.ip_address} is the broadcast address of ${itf.subnet}`);
    }
    if (itf.default_gateway === true) {
      if (itf.ip_mode !== "static" && itf.ip_mode !== "auto")
        issue(ctx, at("default_gateway"), `MAAS sets a default gateway only on static or auto links (this one is ${itf.ip_mode})`);
      else if (cidr) {
        const prev = gateways.get(cidr.family);
        if (prev !== undefined) issue(ctx, at("default_gateway"), `interfaces[${prev}] is already the IPv${cidr.family} default gateway`);
        else gateways.set(cidr.family, i);
      }
    }
    if (itf.mtu !== undefined) {
      const other = mtuOf.get(itf.name);
      if (other && other.mtu !== itf.mtu) issue(ctx, at("mtu"), `${itf.name} has MTU ${other.mtu} at ${other.at}`);
      else if (!other) mtuOf.set(itf.name, { mtu: itf.mtu, at: `interfaces[${i}].mtu` });
    }
  });
}

/** One machine entry with its JSON path (`machine` or `machines[i]`). */
export interface MachineEntry {
  machine: MachineInput;
  path: Seg[];
}

/** The machine entries of a validated file, whichever of `machine` / `machines` it uses. */
export function machineEntries(file: Pick<InputFileBase, "machine" | "machines">): MachineEntry[] {
  if (file.machines) return file.machines.map((machine, i) => ({ machine, path: ["machines", i] }));
  if (file.machine) return [{ machine: file.machine, path: ["machine"] }];
  return [];
}

/**
 * Whether the machine is taken over (adopted) rather than enlisted by the stack: `adopt` when
 * given; else true with `find_machine`, without `create_machine`, or without a `pxe_mac` (MAAS
 * cannot enlist a machine without a MAC; the original SDK's create_machine then found it by hostname).
 */
export function isAdopted(machine: MachineInput, actions: readonly Action[]): boolean {
  if (machine.adopt !== undefined) return machine.adopt;
  return actions.includes("find_machine") || !actions.includes("create_machine") || machine.pxe_mac === undefined;
}

/** The logical key of a machine: `id`, else pxe_mac with '-', else hostname. */
export function machineKey(machine: MachineInput): { key: string; keyKind: "id" | "mac" | "hostname" } {
  if (machine.id !== undefined) return { key: machine.id, keyKind: "id" };
  if (machine.pxe_mac !== undefined) return { key: machine.pxe_mac.replace(/:/g, "-"), keyKind: "mac" };
  return { key: machine.hostname, keyKind: "hostname" };
}

/** Release options after merging the top-level `release` and the machine's own. */
export function effectiveRelease(file: Pick<InputFileBase, "release">, machine: MachineInput) {
  const top = file.release ?? {};
  const own = machine.release ?? {};
  const pick = <K extends keyof ReleaseInput>(k: K) => own[k] ?? top[k] ?? RELEASE_DEFAULTS[k];
  return {
    wipe_disks: pick("wipe_disks") as boolean,
    secure_erase: pick("secure_erase") as boolean,
    quick_erase: pick("quick_erase") as boolean,
    wait_release: (machine.wait_release ?? pick("wait_release")) as boolean,
  };
}

function checkFile(file: InputFileBase, ctx: Ctx): void {
  const actions = file.actions;
  const has = (a: Action) => actions.includes(a);
  const listOnly = actions.every((a) => a === "list");
  if (file.machine && file.machines) issue(ctx, ["machine"], "give either machine (one) or machines (a list), not both");
  else if (!listOnly && !file.machine && !file.machines)
    issue(ctx, ["machines"], "required: the actions need machines (a list) or machine (one); only [\"list\"] runs without");
  else if (!listOnly && file.machines?.length === 0) issue(ctx, ["machines"], "is empty: the actions need at least one machine");

  const entries = machineEntries(file);
  const seen = { hostname: new Map<string, Seg[]>(), id: new Map<string, Seg[]>(), mac: new Map<string, Seg[]>(), key: new Map<string, Seg[]>() };
  const dup = (map: Map<string, Seg[]>, value: string, at: Seg[], field: string, what: string): boolean => {
    const prev = map.get(value);
    if (prev) issue(ctx, [...at, field], `${what} is also used by ${formatPath(prev)}`);
    else map.set(value, at);
    return prev !== undefined;
  };
  const bootOrderAt = actions.indexOf("set_boot_order");
  const withoutBootDisk = entries.filter((e) => e.machine.boot_disk === undefined);
  if (bootOrderAt >= 0 && entries.length > 0 && withoutBootDisk.length === entries.length)
    issue(ctx, ["actions", bootOrderAt], "MAAS 3.x has no boot-order API: set_boot_order can only set MAAS's boot disk, and no machine names boot_disk; add boot_disk or remove set_boot_order");

  for (const { machine: m, path: at } of entries) {
    let duplicate = dup(seen.hostname, m.hostname.toLowerCase(), at, "hostname", `hostname ${m.hostname}`);
    if (m.id !== undefined) duplicate = dup(seen.id, m.id, at, "id", `id ${m.id}`) || duplicate;
    if (m.pxe_mac !== undefined) duplicate = dup(seen.mac, m.pxe_mac, at, "pxe_mac", `MAC ${m.pxe_mac}`) || duplicate;
    const { key, keyKind } = machineKey(m);
    const prevKey = seen.key.get(key);
    if (prevKey && !duplicate)
      issue(ctx, [...at, keyKind === "mac" ? "pxe_mac" : keyKind], `gives the logical name ${key}, which ${formatPath(prevKey)} also has; set a distinct id`);
    else if (!prevKey) seen.key.set(key, at);
    if (listOnly) continue;

    const adopt = isAdopted(m, actions);
    if (m.adopt === false && !has("create_machine"))
      issue(ctx, [...at, "adopt"], "adopt: false means the stack enlists the machine, which needs create_machine in actions");
    else if (m.adopt === false && has("find_machine"))
      issue(ctx, [...at, "adopt"], "contradicts find_machine in actions (find_machine takes over existing machines)");
    if (!adopt && m.pxe_mac === undefined)
      issue(ctx, [...at, "pxe_mac"], "required with adopt: false: MAAS enlists a machine by its MAC; to take over an existing machine set adopt: true");
    if (bootOrderAt >= 0 && m.boot_disk === undefined && withoutBootDisk.length < entries.length)
      issue(ctx, [...at, "boot_disk"], "required by set_boot_order: MAAS 3.x has no boot-order API, set_boot_order sets the boot disk named here");

    if (m.wait_commissioning === false) {
      const dependents = (["configure_storage", "configure_network", "deploy"] as const).filter(has);
      if (dependents.length > 0)
        issue(ctx, [...at, "wait_commissioning"], `cannot be false: ${dependents.join(", ")} need${dependents.length === 1 ? "s" : ""} the machine Ready after commissioning`);
    }
    const release = effectiveRelease(file, m);
    if (!release.wait_release && has("deploy")) {
      const where: Seg[] =
        m.wait_release === false ? [...at, "wait_release"] : m.release?.wait_release === false ? [...at, "release", "wait_release"] : ["release", "wait_release"];
      issue(ctx, where, "cannot be false with deploy: a redeploy (reprovision, layout or network change) and deleting an enlisted machine wait for the release to finish");
    }
    if (!release.wipe_disks)
      for (const k of ["secure_erase", "quick_erase"] as const)
        if (release[k]) {
          // Within one release object the section's own check has reported it already.
          const flagOwn = m.release?.[k] !== undefined;
          const wipeOwn = m.release?.wipe_disks !== undefined;
          if (flagOwn !== wipeOwn) issue(ctx, flagOwn ? [...at, "release", k] : ["release", k], `${k} erases disks, but wipe_disks is false for ${m.hostname}`);
        }
  }
  if (!listOnly && has("configure_network")) checkStaticAddresses(file, entries, ctx);
}

/** No static address is given twice, across machines and through an inherited top-level network. */
function checkStaticAddresses(file: Pick<InputFileBase, "network">, entries: MachineEntry[], ctx: Ctx): void {
  const assigned = new Map<string, string>();
  const inheriting = entries.filter((e) => e.machine.network === undefined);
  const sources: { net: NetworkInput; at: Seg[]; who: string }[] = [];
  if (file.network && inheriting.length > 0) sources.push({ net: file.network, at: ["network"], who: inheriting.map((e) => e.machine.hostname).join(", ") });
  for (const e of entries) if (e.machine.network) sources.push({ net: e.machine.network, at: [...e.path, "network"], who: e.machine.hostname });
  for (const { net, at, who } of sources)
    net.interfaces.forEach((itf, i) => {
      if (itf.ip_mode !== "static" || itf.ip_address === undefined) return;
      const where: Seg[] = [...at, "interfaces", i, "ip_address"];
      if (at.length === 1 && inheriting.length > 1)
        return issue(ctx, where, `static ${itf.ip_address} would be given to every machine that inherits this network (${who}); give each machine its own network`);
      const ip = parseIp(itf.ip_address);
      if (!ip) return;
      const norm = `${ip.family}:${ip.value}`;
      const prev = assigned.get(norm);
      if (prev !== undefined) issue(ctx, where, `${itf.ip_address} is also assigned at ${prev}`);
      else assigned.set(norm, `${formatPath(where)} (${who})`);
    });
}

// ---------------------------------------------------------------------------------------------
// Validation entry points
// ---------------------------------------------------------------------------------------------

export interface InputError {
  /** JSON path such as `machines[1].network.bonds[0].mode`; `$` for the whole document. */
  path: string;
  message: string;
}
export type ValidationResult =
  | { ok: true; value: InputFile; warnings: string[] }
  | { ok: false; errors: InputError[] };

/** `["machines", 1, "network"]` → `machines[1].network`; `[]` → `$`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of segments) {
    if (typeof seg === "number") out += `[${seg}]`;
    else if (typeof seg === "string" && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) out += out === "" ? seg : `.${seg}`;
    else out += `[${JSON.stringify(String(seg))}]`;
  }
  return out === "" ? "$" : out;
}

/** Errors as lines `path: message`, for people (the CLI, the stack program's exception). */
export function formatInputErrors(errors: readonly InputError[]): string {
  return errors.map((e) => `${e.path}: ${e.message}`).join("\n");
}

/** Validate a parsed file. Every problem is reported with its JSON path; secrets are never echoed. */
export function validateInput(raw: unknown): ValidationResult {
  const scrub = scrubberFor(raw);
  const result = InputFileSchema.safeParse(raw);
  if (!result.success) {
    const errors: InputError[] = [];
    const seen = new Set<string>();
    for (const iss of result.error.issues)
      for (const e of describeIssue(iss, raw)) {
        const clean = { path: scrub(e.path), message: scrub(e.message) };
        const k = `${clean.path}\u0000${clean.message}`;
        if (!seen.has(k)) errors.push(clean);
        seen.add(k);
      }
    return { ok: false, errors };
  }
  return { ok: true, value: result.data, warnings: collectWarnings(result.data).map(scrub) };
}

/** Read, parse (`.yaml` / `.yml` as YAML, anything else as JSON) and validate an input file. */
export function loadInputFile(file: string): ValidationResult {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "error";
    return { ok: false, errors: [{ path: "$", message: `cannot read ${file}: ${code}` }] };
  }
  const yaml = /\.ya?ml$/i.test(path.extname(file));
  const parsed = yaml ? parseYaml(text) : parseJson(text);
  if (!parsed.ok) {
    const scrub = scrubberForText(text);
    return { ok: false, errors: [{ path: "$", message: scrub(`${file}: ${parsed.message}`) }] };
  }
  return validateInput(parsed.value);
}

type Parsed = { ok: true; value: unknown } | { ok: false; message: string };

function parseYaml(text: string): Parsed {
  const doc = YAML.parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0];
    const what = err.message.split(/ at line \d+|\n/)[0];
    return { ok: false, message: `invalid YAML${pos ? ` at line ${pos.line}, column ${pos.col}` : ""}: ${what} (${err.code})` };
  }
  return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) };
}

/**
 * A strict JSON parser that also rejects duplicate keys (JSON.parse silently keeps the last one)
 * and reports positions without quoting the text (which may hold the API key).
 */
export function parseJson(text: string): Parsed {
  let i = 0;
  const fail = (what: string): never => {
    const before = text.slice(0, i);
    const line = before.split("\n").length;
    const col = i - before.lastIndexOf("\n");
    throw new JsonSyntax(`invalid JSON at line ${line}, column ${col}: ${what}`);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const value = (p: Seg[]): unknown => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text[i] === "}") return i++, obj;
      for (;;) {
        ws();
        if (text[i] !== '"') fail("expected a key in double quotes");
        const key = str();
        if (Object.prototype.hasOwnProperty.call(obj, key)) fail(`duplicate key ${formatPath([...p, key])}`);
        ws();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        Object.defineProperty(obj, key, { value: value([...p, key]), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return i++, obj;
        else fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text[i] === "]") return i++, arr;
      for (;;) {
        arr.push(value([...p, arr.length]));
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return i++, arr;
        else fail("expected ',' or ']'");
      }
    }
    if (c === '"') return str();
    const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (!m) fail(c === undefined ? "unexpected end of file" : "unexpected character");
    i += m![0].length;
    return JSON.parse(m![0]);
  };
  const str = (): string => {
    const m = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4}))*"/.exec(text.slice(i));
    if (!m) fail("unterminated or invalid string");
    i += m![0].length;
    return JSON.parse(m![0]) as string;
  };
  try {
    const v = value([]);
    ws();
    if (i < text.length) fail("unexpected text after the end of the document");
    return { ok: true, value: v };
  } catch (err) {
    if (err instanceof JsonSyntax) return { ok: false, message: err.message };
    throw err;
  }
}
class JsonSyntax extends Error {}

// ---------------------------------------------------------------------------------------------
// Messages
// ---------------------------------------------------------------------------------------------

function jsonType(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "string") return "a string";
  if (typeof v === "number") return Number.isInteger(v) ? "an integer" : "a number";
  return `a ${typeof v}`;
}

function valueAt(raw: unknown, p: readonly PropertyKey[]): unknown {
  let cur = raw;
  for (const seg of p) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg as string];
  }
  return cur;
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "an object",
  array: "an array",
  record: "an object",
};

function describeIssue(iss: z.core.$ZodIssue, raw: unknown): InputError[] {
  const at = [...iss.path];
  const p = formatPath(at);
  switch (iss.code) {
    case "unrecognized_keys": {
      const allowed = keysAt(InputFileSchema, at);
      return iss.keys.map((key) => {
        const hint = closest(key, allowed);
        return {
          path: formatPath([...at, key]),
          message: `unknown key ${JSON.stringify(key)}${hint ? ` — did you mean ${JSON.stringify(hint)}?` : ""} (allowed here: ${allowed.join(", ")})`,
        };
      });
    }
    case "invalid_type": {
      const got = valueAt(raw, at);
      const expected = TYPE_NAMES[iss.expected] ?? iss.expected;
      if (got === undefined) return [{ path: p, message: `required (${expected})` }];
      return [{ path: p, message: `must be ${expected}, not ${jsonType(got)}` }];
    }
    case "invalid_value": {
      const got = valueAt(raw, at);
      const values = iss.values.map((v) => String(v));
      if (got === undefined) return [{ path: p, message: `required (one of ${values.join(", ")})` }];
      const hint = typeof got === "string" ? closest(got, values) : undefined;
      const shown = typeof got === "string" && got.length <= 40 ? JSON.stringify(got) : jsonType(got);
      return [{ path: p, message: `${shown} is not one of ${values.join(", ")}${hint ? ` — did you mean ${JSON.stringify(hint)}?` : ""}` }];
    }
    case "invalid_union": {
      if (!iss.message.startsWith("Invalid input")) return [{ path: p, message: iss.message }];
      const got = valueAt(raw, at);
      if (got === undefined) return [{ path: p, message: "required" }];
      const expected = [...new Set(iss.errors.flat().map((e) => (e.code === "invalid_type" ? TYPE_NAMES[e.expected] ?? e.expected : undefined)))].filter(Boolean);
      const list = expected.length > 1 ? `${expected.slice(0, -1).join(", ")} or ${expected[expected.length - 1]}` : expected[0] ?? "a different value";
      return [{ path: p, message: `must be ${list}, not ${jsonType(got)}` }];
    }
    case "invalid_key":
      return [{ path: p, message: iss.issues[0]?.message ?? "invalid key" }];
    case "too_small":
    case "too_big": {
      if (!/^Too (small|big)/.test(iss.message)) return [{ path: p, message: iss.message }];
      const bound = iss.code === "too_small" ? iss.minimum : iss.maximum;
      const rel = iss.code === "too_small" ? (iss.inclusive ? "at least" : "more than") : iss.inclusive ? "at most" : "less than";
      if (iss.origin === "array") return [{ path: p, message: `must have ${rel} ${bound} item(s)` }];
      if (iss.origin === "string") return [{ path: p, message: `must be ${rel} ${bound} character(s) long` }];
      return [{ path: p, message: `must be ${rel} ${bound}` }];
    }
    case "invalid_format":
      return [{ path: p, message: iss.message.startsWith("Invalid") ? `has the wrong format (${iss.format})` : iss.message }];
    case "not_multiple_of":
      return [{ path: p, message: `must be a multiple of ${iss.divisor}` }];
    default:
      return [{ path: p, message: iss.message }];
  }
}

/** The keys a strict object at `p` accepts, found by walking the zod schema. */
function keysAt(schema: z.ZodType, p: readonly PropertyKey[]): string[] {
  let cur: unknown = schema;
  const unwrap = (s: unknown): unknown => {
    for (;;) {
      const def = (s as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
      if (["optional", "default", "nullable", "prefault", "readonly", "catch", "nonoptional"].includes(def.type)) s = def.innerType;
      else if (def.type === "pipe") s = def.in;
      else return s;
    }
  };
  for (const seg of p) {
    const def = (unwrap(cur) as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
    if (def.type === "object") cur = (def.shape as Record<string, unknown>)[seg as string];
    else if (def.type === "array") cur = def.element;
    else if (def.type === "record") cur = def.valueType;
    else return [];
    if (cur === undefined) return [];
  }
  const def = (unwrap(cur) as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
  return def.type === "object" ? Object.keys(def.shape as object) : [];
}

function closest(word: string, options: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const o of options) {
    const d = editDistance(word.toLowerCase(), o.toLowerCase());
    if (d < bestD) (bestD = d), (best = o);
  }
  const limit = word.length <= 3 ? 1 : word.length <= 6 ? 2 : 3;
  return best !== undefined && bestD <= limit ? best : undefined;
}

/** Optimal string alignment distance (edits and adjacent swaps). */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

// ---------------------------------------------------------------------------------------------
// Secret scrubbing (defence in depth: no message is built from a secret, but a misplaced key
// could still land in a path or an enum echo)
// ---------------------------------------------------------------------------------------------

function secretsIn(raw: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown, key: string | undefined, parent: string | undefined, depth: number) => {
    if (depth > 50) return;
    if (typeof v === "string") {
      if (key === "maas_api_key") {
        out.push(v);
        for (const part of v.split(":")) if (part.length >= 6) out.push(part);
      } else if (parent === "power_parameters" && key !== undefined && SECRET_PARAM_KEY.test(key) && v.length >= 4) out.push(v);
      return;
    }
    if (Array.isArray(v)) v.forEach((x) => visit(x, undefined, key, depth + 1));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) visit(x, k, key, depth + 1);
  };
  visit(raw, undefined, undefined, 0);
  return [...new Set(out.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
}

function scrubber(secrets: string[]): (s: string) => string {
  return (s) => {
    let out = s;
    for (const secret of secrets) out = out.split(secret).join(REDACTED);
    return out;
  };
}
const scrubberFor = (raw: unknown) => scrubber(secretsIn(raw));
function scrubberForText(text: string): (s: string) => string {
  const found: string[] = [];
  for (const m of text.matchAll(/(maas_api_key|[A-Za-z_]*(?:pass|secret|token)[A-Za-z_]*)["']?\s*:\s*["']?([^"'\s,}]+)/gi)) {
    found.push(m[2]!);
    if (m[1] === "maas_api_key") for (const part of m[2]!.split(":")) if (part.length >= 6) found.push(part);
  }
  return scrubber([...new Set(found)].sort((a, b) => b.length - a.length));
}

// ---------------------------------------------------------------------------------------------
// Warnings: things the file says that are accepted but worth knowing
// ---------------------------------------------------------------------------------------------

function collectWarnings(file: InputFile): string[] {
  const out: string[] = [];
  const seenActions = new Set<string>();
  file.actions.forEach((a, i) => {
    if (seenActions.has(a)) out.push(`actions[${i}]: ${a} is listed twice`);
    seenActions.add(a);
  });
  const networks: { net: NetworkInput; at: Seg[] }[] = [];
  if (file.network) networks.push({ net: file.network, at: ["network"] });
  for (const { machine, path: at } of machineEntries(file)) {
    if (machine.network) networks.push({ net: machine.network, at: [...at, "network"] });
    if (machine.wait_deployment === false && file.actions.includes("deploy"))
      out.push(`${formatPath([...at, "wait_deployment"])}: false — \`pulumi up\` finishes once MAAS accepts the deploy; a failed deployment shows only at the next refresh`);
  }
  for (const { net, at } of networks)
    net.bonds.forEach((b, i) => {
      if (b.lacp_rate !== undefined && !LACP_RATE_MODES.includes(b.mode))
        out.push(`${formatPath([...at, "bonds", i, "lacp_rate"])}: ignored — mode ${b.mode} does not use it (only ${LACP_RATE_MODES.join(", ")})`);
      if (b.xmit_hash_policy !== undefined && !XMIT_HASH_MODES.includes(b.mode))
        out.push(`${formatPath([...at, "bonds", i, "xmit_hash_policy"])}: ignored — mode ${b.mode} does not use it (only ${XMIT_HASH_MODES.join(", ")})`);
    });
  return out;
}
