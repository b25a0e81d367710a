/**
 * zod schemas for the MAAS objects the client returns (shapes from maas-api.md §2.7, §4, §5, §6.4).
 *
 * Validate what is used, tolerate the rest: each object is built from two shapes. `used` holds the
 * fields the providers (provider/src/runtime, provider/src/resources) or this client read; they are
 * type-checked, and a wrong type fails the answer with ResponseShapeError naming the endpoint, the
 * field path and the type MAAS sent. `tolerated` holds fields MAAS emits that nothing here reads:
 * each may be missing, null or of any other type (it then reads as undefined), so an answer from a
 * region with other habits (null dns_servers, null tags, bond params of other shapes) still parses.
 * Unknown keys are kept. USED_FIELDS lists the used fields per object, as the contract with the runtime.
 */
import { z } from "zod";
import { ErrorContext, ResponseShapeError } from "./errors";

const str = z.string();
const int = z.number().int();
const nullableStr = z.string().nullable();

/** A field nothing reads: any value, null or missing parses; a value of another type reads as undefined. */
function tolerate<S extends z.ZodType>(s: S) {
  return s.nullable().optional().catch(undefined);
}

type Shape = Record<string, z.ZodType>;
type Tolerated<T extends Shape> = { [K in keyof T]: z.ZodCatch<z.ZodOptional<z.ZodNullable<T[K]>>> };

function tolerateAll<T extends Shape>(shape: T): Tolerated<T> {
  const out: Record<string, z.ZodType> = {};
  for (const [k, s] of Object.entries(shape)) out[k] = tolerate(s);
  return out as Tolerated<T>;
}

function maasObject<U extends Shape, T extends Shape>(used: U, tolerated: T) {
  return z.looseObject({ ...tolerateAll(tolerated), ...used } as U & Tolerated<T>);
}

const FILESYSTEM_USED = {
  fstype: str,
  label: nullableStr.optional(),
  mount_point: nullableStr.optional(),
};
export const FilesystemSchema = maasObject(FILESYSTEM_USED, { uuid: str, mount_options: str });
export type Filesystem = z.infer<typeof FilesystemSchema>;

const VLAN_USED = {
  id: int,
  vid: int,
  /** fabric name, in messages */
  fabric: str.optional(),
  fabric_id: int.optional(),
};
export const VlanSchema = maasObject(VLAN_USED, {
  name: str,
  mtu: int,
  dhcp_on: z.boolean(),
  space: str,
  external_dhcp: str,
  primary_rack: str,
  secondary_rack: str,
  relay_vlan: z.unknown(),
});
export type Vlan = z.infer<typeof VlanSchema>;

const SUBNET_USED = {
  id: int,
  cidr: str,
  vlan: VlanSchema.optional(),
};
export const SubnetSchema = maasObject(SUBNET_USED, {
  name: str,
  gateway_ip: str,
  dns_servers: z.array(str),
  managed: z.boolean(),
  space: str,
  rdns_mode: int,
  allow_dns: z.boolean(),
  allow_proxy: z.boolean(),
  active_discovery: z.boolean(),
  disabled_boot_architectures: z.array(str),
  description: str,
});
export type Subnet = z.infer<typeof SubnetSchema>;

const FABRIC_USED = { id: int, name: str };
export const FabricSchema = maasObject(FABRIC_USED, { vlans: z.array(VlanSchema), class_type: str, description: str });
export type Fabric = z.infer<typeof FabricSchema>;

const LINK_USED = {
  id: int,
  mode: str,
  ip_address: nullableStr.optional(),
  subnet: SubnetSchema.nullable().optional(),
};
export const LinkSchema = maasObject(LINK_USED, {});
export type Link = z.infer<typeof LinkSchema>;

const INTERFACE_USED = {
  id: int,
  name: str,
  type: str,
  mac_address: nullableStr.optional(),
  vlan: VlanSchema.nullable().optional(),
  parents: z.array(str).default([]),
  links: z.array(LinkSchema).default([]),
  effective_mtu: int.optional(),
  /** bond_/bridge_ settings; MAAS emits "" for a plain NIC, and other shapes elsewhere: read leniently by the runtime. */
  params: z.unknown().optional(),
};
export const InterfaceSchema = maasObject(INTERFACE_USED, {
  system_id: str,
  children: z.array(str),
  tags: z.array(str),
  enabled: z.boolean(),
  discovered: z.unknown(),
  firmware_version: str,
  product: str,
  vendor: str,
  link_connected: z.boolean(),
  link_speed: z.number(),
  interface_speed: z.number(),
  numa_node: int,
  sriov_max_vf: int,
});
export type Interface = z.infer<typeof InterfaceSchema>;

const PARTITION_USED = {
  id: int,
  size: z.number(),
  bootable: z.boolean().optional(),
  filesystem: FilesystemSchema.nullable().optional(),
};
export const PartitionSchema = maasObject(PARTITION_USED, {
  uuid: str,
  type: str,
  path: str,
  device_id: int,
  system_id: str,
  used_for: str,
  tags: z.array(str),
});
export type Partition = z.infer<typeof PartitionSchema>;

const BLOCK_DEVICE_USED = {
  id: int,
  name: str,
  type: str,
  size: z.number(),
  serial: nullableStr.optional(),
  filesystem: FilesystemSchema.nullable().optional(),
  partitions: z.array(PartitionSchema).default([]),
};
export const BlockDeviceSchema = maasObject(BLOCK_DEVICE_USED, {
  system_id: str,
  uuid: str,
  path: str,
  model: str,
  id_path: str,
  block_size: z.number(),
  available_size: z.number(),
  used_size: z.number(),
  used_for: str,
  tags: z.array(str),
  partition_table_type: str,
  storage_pool: str,
  numa_node: int,
  firmware_version: str,
});
export type BlockDevice = z.infer<typeof BlockDeviceSchema>;

const VOLUME_GROUP_USED = {
  id: int,
  name: str,
  size: z.number().optional(),
  /** BlockDevice or Partition objects; only their ids are read. */
  devices: z.array(z.looseObject({ id: int })).default([]),
  logical_volumes: z.array(BlockDeviceSchema).default([]),
};
export const VolumeGroupSchema = maasObject(VOLUME_GROUP_USED, {
  system_id: str,
  uuid: str,
  available_size: z.number(),
  used_size: z.number(),
  human_size: str,
});
export type VolumeGroup = z.infer<typeof VolumeGroupSchema>;

const BOOT_RESOURCE_USED = { id: int, name: str, architecture: str };
export const BootResourceSchema = maasObject(BOOT_RESOURCE_USED, { type: str, subarches: str });
export type BootResource = z.infer<typeof BootResourceSchema>;

/** A zone or resource pool as a machine shows it: `{id, name, description, resource_uri}`. */
const PLACE_USED = { name: str };
export const MachinePlaceSchema = maasObject(PLACE_USED, { id: int, description: str });

const MACHINE_USED = {
  system_id: str,
  hostname: str,
  status: int,
  status_name: str,
  status_message: nullableStr.optional(),
  fqdn: str.optional(),
  description: str.optional(),
  owner: nullableStr.optional(),
  power_state: str.optional(),
  power_type: str.optional(),
  architecture: str.optional(),
  tag_names: z.array(str).default([]),
  ip_addresses: z.array(str).default([]),
  bios_boot_method: nullableStr.optional(),
  current_commissioning_result_id: int.nullable().optional(),
  interface_set: z.array(InterfaceSchema).default([]),
  blockdevice_set: z.array(BlockDeviceSchema).default([]),
  boot_disk: BlockDeviceSchema.nullable().optional(),
  zone: MachinePlaceSchema.nullable().optional(),
  pool: MachinePlaceSchema.nullable().optional(),
};
export const MachineSchema = maasObject(MACHINE_USED, {
  locked: z.boolean(),
  osystem: str,
  distro_series: str,
  hwe_kernel: str,
  min_hwe_kernel: str,
  cpu_count: z.number(),
  cpu_speed: z.number(),
  memory: z.number(),
  storage: z.number(),
  error_description: str,
  boot_interface: InterfaceSchema,
  default_gateways: z.unknown(),
  domain: z.unknown(),
  owner_data: z.record(str, z.unknown()),
  workload_annotations: z.record(str, z.unknown()),
  hardware_info: z.record(str, z.unknown()),
  physicalblockdevice_set: z.array(BlockDeviceSchema),
  virtualblockdevice_set: z.array(BlockDeviceSchema),
  volume_groups: z.array(z.unknown()),
  raids: z.array(z.unknown()),
  cache_sets: z.array(z.unknown()),
  special_filesystems: z.array(z.unknown()),
  netboot: z.boolean(),
  ephemeral_deploy: z.boolean(),
  node_type: int,
  node_type_name: str,
  status_action: str,
  numanode_set: z.array(z.unknown()),
  pod: z.unknown(),
  virtualmachine_id: int,
  testing_status: int,
  commissioning_status: int,
});
export type Machine = z.infer<typeof MachineSchema>;

const ZONE_USED = { id: int, name: str };
/** `zones/` and `resourcepools/` entries (api/zones.py, api/resourcepools.py: id, name, description). */
export const ZoneSchema = maasObject(ZONE_USED, { description: str });
export type Zone = z.infer<typeof ZoneSchema>;
export const ResourcePoolSchema = maasObject(ZONE_USED, { description: str });
export type ResourcePool = z.infer<typeof ResourcePoolSchema>;

const TAG_USED = { name: str };
/** `tags/` entries (api/tags.py: name, definition, comment, kernel_opts; a definition makes it automatic). */
export const TagSchema = maasObject(TAG_USED, { definition: str, comment: str, kernel_opts: str });
export type Tag = z.infer<typeof TagSchema>;
export const TagNodesResultSchema = maasObject({ added: int, removed: int }, {});

const EVENT_USED = { id: int, type: str, description: str.optional(), level: str.optional() };
/** One entry of `GET events/?op=query` (api/events.py); newest first. */
export const EventSchema = maasObject(EVENT_USED, { username: str, node: str, hostname: str, created: str, action: str });
export type MaasEvent = z.infer<typeof EventSchema>;
export const EventsPageSchema = maasObject({ events: z.array(EventSchema).default([]) }, { count: int, next_uri: str, prev_uri: str });

export const VersionSchema = maasObject({ version: str }, { capabilities: z.array(str), subversion: str });
export const WhoamiSchema = maasObject({ username: str, is_superuser: z.boolean() }, { email: str, is_local: z.boolean() });
export const PowerStateSchema = maasObject({ state: str }, {});

/**
 * The fields read per MAAS object (the rest is tolerated). Checked by test/client/answer-shapes.test.ts;
 * a runtime change that reads another field must add it here and to the object's `used` shape.
 */
export const USED_FIELDS = {
  Machine: Object.keys(MACHINE_USED),
  Interface: Object.keys(INTERFACE_USED),
  Link: Object.keys(LINK_USED),
  Subnet: Object.keys(SUBNET_USED),
  Vlan: Object.keys(VLAN_USED),
  Fabric: Object.keys(FABRIC_USED),
  BlockDevice: Object.keys(BLOCK_DEVICE_USED),
  Partition: Object.keys(PARTITION_USED),
  Filesystem: Object.keys(FILESYSTEM_USED),
  VolumeGroup: Object.keys(VOLUME_GROUP_USED),
  BootResource: Object.keys(BOOT_RESOURCE_USED),
  MachineZoneOrPool: Object.keys(PLACE_USED),
  Zone: Object.keys(ZONE_USED),
  ResourcePool: Object.keys(ZONE_USED),
  Tag: Object.keys(TAG_USED),
  Event: Object.keys(EVENT_USED),
} as const;

/**
 * Validate `data` against `schema`; on mismatch throw ResponseShapeError naming the endpoint (from ctx),
 * the first offending field path (e.g. `[3].interface_set[0].id`) and the type of the value MAAS sent.
 */
export function parseResponse<S extends z.ZodType>(schema: S, data: unknown, ctx: ErrorContext): z.infer<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (!issue) throw new ResponseShapeError(ctx, "(root)", "is invalid");
  const field = formatPath(issue.path);
  throw new ResponseShapeError(ctx, field, describeIssue(issue, valueAt(data, issue.path)));
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  const got = `got ${typeOf(value)}${preview(value)}`;
  if (issue.code === "invalid_type") return value === undefined ? `is missing (expected ${issue.expected})` : `is invalid: expected ${issue.expected}, ${got}`;
  return `is invalid: ${issue.message}; ${got}`;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[p];
  }
  return cur;
}

function typeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v;
}

function preview(v: unknown): string {
  if (v === null || v === undefined || typeof v === "object") return "";
  const s = JSON.stringify(v);
  return ` (${s.length > 40 ? `${s.slice(0, 40)}…` : s})`;
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}
