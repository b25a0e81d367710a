/**
 * zod schemas for the MAAS objects the providers use (shapes from maas-api.md §2.7, §4, §5, §6.4).
 * Objects are loose (unknown fields are kept); the fields we use are type-checked. Fields that
 * MAAS always emits but we can live without are optional, so a leaner MAAS does not break us.
 */
import { z } from "zod";
import { ErrorContext, ResponseShapeError } from "./errors";

const str = z.string();
const nullableStr = z.string().nullable();

export const FilesystemSchema = z.looseObject({
  fstype: str,
  label: nullableStr.optional(),
  uuid: nullableStr.optional(),
  mount_point: nullableStr.optional(),
  mount_options: nullableStr.optional(),
});
export type Filesystem = z.infer<typeof FilesystemSchema>;

export const VlanSchema = z.looseObject({
  id: z.number().int(),
  vid: z.number().int(),
  name: str.optional(),
  fabric: str.optional(),
  fabric_id: z.number().int().optional(),
  mtu: z.number().int().optional(),
  dhcp_on: z.boolean().optional(),
  space: nullableStr.optional(),
});
export type Vlan = z.infer<typeof VlanSchema>;

export const SubnetSchema = z.looseObject({
  id: z.number().int(),
  name: str.optional(),
  cidr: str,
  vlan: VlanSchema.optional(),
  gateway_ip: nullableStr.optional(),
  dns_servers: z.array(str).optional(),
  managed: z.boolean().optional(),
  space: nullableStr.optional(),
});
export type Subnet = z.infer<typeof SubnetSchema>;

export const FabricSchema = z.looseObject({
  id: z.number().int(),
  name: str,
  vlans: z.array(VlanSchema).default([]),
});
export type Fabric = z.infer<typeof FabricSchema>;

export const LinkSchema = z.looseObject({
  id: z.number().int(),
  mode: str,
  ip_address: nullableStr.optional(),
  subnet: SubnetSchema.nullable().optional(),
});
export type Link = z.infer<typeof LinkSchema>;

export const InterfaceSchema = z.looseObject({
  id: z.number().int(),
  name: str,
  type: str,
  system_id: str.optional(),
  mac_address: nullableStr.optional(),
  vlan: VlanSchema.nullable().optional(),
  parents: z.array(str).default([]),
  children: z.array(str).default([]),
  links: z.array(LinkSchema).default([]),
  tags: z.array(str).default([]),
  enabled: z.boolean().optional(),
  effective_mtu: z.number().int().optional(),
  /** bond_/bridge_ settings; MAAS emits "" for a plain NIC. */
  params: z.union([z.record(str, z.unknown()), z.literal(""), z.null()]).optional(),
});
export type Interface = z.infer<typeof InterfaceSchema>;

export const PartitionSchema = z.looseObject({
  id: z.number().int(),
  size: z.number(),
  uuid: nullableStr.optional(),
  bootable: z.boolean().optional(),
  type: str.optional(),
  path: str.optional(),
  device_id: z.number().int().optional(),
  system_id: str.optional(),
  filesystem: FilesystemSchema.nullable().optional(),
  used_for: str.optional(),
  tags: z.array(str).default([]),
});
export type Partition = z.infer<typeof PartitionSchema>;

export const BlockDeviceSchema = z.looseObject({
  id: z.number().int(),
  name: str,
  type: str,
  size: z.number(),
  system_id: str.optional(),
  uuid: nullableStr.optional(),
  path: str.optional(),
  model: nullableStr.optional(),
  serial: nullableStr.optional(),
  id_path: nullableStr.optional(),
  block_size: z.number().optional(),
  available_size: z.number().optional(),
  used_size: z.number().optional(),
  used_for: str.optional(),
  tags: z.array(str).default([]),
  filesystem: FilesystemSchema.nullable().optional(),
  partition_table_type: nullableStr.optional(),
  partitions: z.array(PartitionSchema).default([]),
});
export type BlockDevice = z.infer<typeof BlockDeviceSchema>;

export const VolumeGroupSchema = z.looseObject({
  id: z.number().int(),
  name: str,
  system_id: str.optional(),
  uuid: nullableStr.optional(),
  size: z.number().optional(),
  available_size: z.number().optional(),
  used_size: z.number().optional(),
  /** BlockDevice or Partition objects. */
  devices: z.array(z.looseObject({ id: z.number().int() })).default([]),
  logical_volumes: z.array(BlockDeviceSchema).default([]),
});
export type VolumeGroup = z.infer<typeof VolumeGroupSchema>;

export const BootResourceSchema = z.looseObject({
  id: z.number().int(),
  name: str,
  architecture: str,
  type: str.optional(),
});
export type BootResource = z.infer<typeof BootResourceSchema>;

export const MachineSchema = z.looseObject({
  system_id: str,
  hostname: str,
  status: z.number().int(),
  status_name: str,
  status_message: nullableStr.optional(),
  fqdn: str.optional(),
  description: str.optional(),
  owner: nullableStr.optional(),
  locked: z.boolean().optional(),
  power_state: str.optional(),
  power_type: str.optional(),
  architecture: str.optional(),
  osystem: str.optional(),
  distro_series: str.optional(),
  hwe_kernel: nullableStr.optional(),
  cpu_count: z.number().optional(),
  memory: z.number().optional(),
  storage: z.number().optional(),
  tag_names: z.array(str).default([]),
  ip_addresses: z.array(str).default([]),
  error_description: nullableStr.optional(),
  bios_boot_method: nullableStr.optional(),
  current_commissioning_result_id: z.number().int().nullable().optional(),
  interface_set: z.array(InterfaceSchema).default([]),
  boot_interface: InterfaceSchema.nullable().optional(),
  blockdevice_set: z.array(BlockDeviceSchema).default([]),
  boot_disk: BlockDeviceSchema.nullable().optional(),
});
export type Machine = z.infer<typeof MachineSchema>;

export const VersionSchema = z.looseObject({ version: str, capabilities: z.array(str).optional(), subversion: str.optional() });
export const WhoamiSchema = z.looseObject({ username: str, is_superuser: z.boolean() });
export const PowerStateSchema = z.looseObject({ state: str });

/**
 * Validate `data` against `schema`; on mismatch throw ResponseShapeError naming the endpoint (from ctx)
 * and the first offending field path (e.g. `[3].interface_set[0].id`).
 */
export function parseResponse<S extends z.ZodType>(schema: S, data: unknown, ctx: ErrorContext): z.infer<S> {
  const r = schema.safeParse(data);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue ? formatPath(issue.path) : "(root)";
  const problem = issue ? issue.message : "is invalid";
  throw new ResponseShapeError(ctx, field, `is invalid: ${problem}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(root)";
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}
