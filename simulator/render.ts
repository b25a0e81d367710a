import type { BlockDevice, Filesystem, Iface, Machine, Partition, Place, Subnet, Tag, Vlan, VolumeGroup } from "./model";
import { DEFAULT_POOL, DEFAULT_ZONE, STATUS_NAME } from "./model";
import type { SimState } from "./state";
import { humanSize } from "./util";
import { bdAvailable, bdUsedFor, bootDisk, findPartition, partitionName, partitionUsedFor, vgSize, vgUsed } from "./storage-model";

export const API = "/MAAS/api/2.0";

export const DOMAIN = { id: 0, name: "maas", authoritative: true, ttl: null, is_default: true, resource_record_count: 0, resource_uri: `${API}/domains/0/` };
// api/zones.py, api/resourcepools.py, api/tags.py: DISPLAYED_*_FIELDS plus resource_uri
export const renderZone = (z: Place) => ({ id: z.id, name: z.name, description: z.description, resource_uri: `${API}/zones/${encodeURIComponent(z.name)}/` });
export const renderPool = (p: Place) => ({ id: p.id, name: p.name, description: p.description, resource_uri: `${API}/resourcepool/${p.id}/` });
export const renderTag = (t: Tag) => ({ name: t.name, definition: t.definition, comment: t.comment, kernel_opts: t.kernelOpts, resource_uri: `${API}/tags/${encodeURIComponent(t.name)}/` });

const SCRIPT_STATUS: Record<number, string> = {
  [-1]: "Unknown",
  0: "Pending",
  1: "Running",
  2: "Passed",
  3: "Failed",
  4: "Timed out",
  5: "Aborted",
};

export function renderFabric(st: SimState, fabricId: number): object {
  const f = st.fabrics.find((x) => x.id === fabricId)!;
  return {
    id: f.id,
    name: f.name,
    class_type: f.classType,
    vlans: st.vlans.filter((v) => v.fabricId === f.id).map((v) => renderVlan(st, v)),
    resource_uri: `${API}/fabrics/${f.id}/`,
  };
}

export function renderVlan(st: SimState, v: Vlan): object {
  const f = st.fabrics.find((x) => x.id === v.fabricId)!;
  return {
    vid: v.vid,
    mtu: v.mtu,
    dhcp_on: v.dhcpOn,
    external_dhcp: null,
    relay_vlan: null,
    fabric: f.name,
    space: "undefined",
    primary_rack: v.dhcpOn ? "rack01" : null,
    secondary_rack: null,
    name: v.name,
    description: "",
    fabric_id: f.id,
    id: v.id,
    resource_uri: `${API}/vlans/${v.id}/`,
  };
}

export function renderSubnet(st: SimState, s: Subnet): object {
  return {
    name: s.name,
    description: "",
    vlan: renderVlan(st, st.vlans.find((v) => v.id === s.vlanId)!),
    cidr: s.cidr,
    rdns_mode: 2,
    gateway_ip: s.gateway,
    dns_servers: s.dnsServers,
    allow_dns: true,
    allow_proxy: true,
    active_discovery: false,
    managed: s.managed,
    disabled_boot_architectures: [],
    id: s.id,
    space: "undefined",
    resource_uri: `${API}/subnets/${s.id}/`,
  };
}

export function renderFs(fs: Filesystem | null): object | null {
  if (!fs) return null;
  return { fstype: fs.fstype, label: fs.label, uuid: fs.uuid, mount_point: fs.mountPoint, mount_options: fs.mountOptions };
}

export function partitionUri(m: Machine, bd: BlockDevice, p: Partition): string {
  return `${API}/nodes/${m.systemId}/blockdevices/${bd.id}/partition/${p.id}`;
}

export function renderPartition(st: SimState, m: Machine, bd: BlockDevice, p: Partition): object {
  return {
    uuid: p.uuid,
    size: p.size,
    bootable: p.bootable,
    tags: p.tags,
    system_id: m.systemId,
    device_id: bd.id,
    used_for: partitionUsedFor(m, p),
    filesystem: renderFs(p.filesystem),
    path: `/dev/disk/by-dname/${partitionName(bd, p)}`,
    type: "partition",
    id: p.id,
    resource_uri: partitionUri(m, bd, p),
  };
}

export function renderBlockDevice(st: SimState, m: Machine, bd: BlockDevice): object {
  const avail = bdAvailable(bd);
  return {
    id_path: bd.idPath,
    size: bd.size,
    block_size: bd.blockSize,
    tags: bd.tags,
    uuid: bd.uuid,
    available_size: avail,
    path: `/dev/disk/by-dname/${bd.name}`,
    name: bd.name,
    used_size: bd.size - avail,
    model: bd.model,
    serial: bd.serial,
    firmware_version: bd.type === "physical" ? "1.0" : null,
    used_for: bdUsedFor(m, bd),
    filesystem: renderFs(bd.filesystem),
    partition_table_type: bd.ptableType,
    partitions: bd.partitions.map((p) => renderPartition(st, m, bd, p)),
    type: bd.type,
    system_id: m.systemId,
    numa_node: bd.type === "physical" ? 0 : null,
    storage_pool: null,
    id: bd.id,
    resource_uri: `${API}/nodes/${m.systemId}/blockdevices/${bd.id}/`,
  };
}

export function renderVg(st: SimState, m: Machine, vg: VolumeGroup): object {
  const size = vgSize(m, vg);
  const used = vgUsed(m, vg);
  const devices = vg.members.map((mem) => {
    if (mem.kind === "bd") return renderBlockDevice(st, m, m.blockDevices.find((b) => b.id === mem.id)!);
    const f = findPartition(m, mem.id)!;
    return renderPartition(st, m, f.bd, f.p);
  });
  const lvs = m.blockDevices.filter((b) => b.vgId === vg.id);
  return {
    system_id: m.systemId,
    id: vg.id,
    uuid: vg.uuid,
    name: vg.name,
    devices,
    size,
    human_size: humanSize(size),
    available_size: size - used,
    human_available_size: humanSize(size - used),
    used_size: used,
    human_used_size: humanSize(used),
    logical_volumes: lvs.map((b) => renderBlockDevice(st, m, b)),
    resource_uri: `${API}/nodes/${m.systemId}/volume-group/${vg.id}/`,
  };
}

export function renderLink(st: SimState, l: Iface["links"][number]): object {
  const o: Record<string, unknown> = { id: l.id, mode: l.mode };
  if (l.ip) o.ip_address = l.ip;
  if (l.subnetId !== null) {
    const s = st.subnets.find((x) => x.id === l.subnetId);
    if (s) o.subnet = renderSubnet(st, s);
  }
  return o;
}

export function renderIface(st: SimState, m: Machine, i: Iface): object {
  const vlan = i.vlanId === null ? null : st.vlans.find((v) => v.id === i.vlanId) ?? null;
  const name = (id: number) => m.interfaces.find((x) => x.id === id)?.name ?? "";
  const children = m.interfaces.filter((c) => c.parents.includes(i.id)).map((c) => c.name).sort();
  return {
    system_id: m.systemId,
    id: i.id,
    name: i.name,
    type: i.type,
    vlan: vlan ? renderVlan(st, vlan) : null,
    mac_address: i.mac,
    parents: i.parents.map(name).sort(),
    children,
    tags: i.tags,
    enabled: i.enabled,
    links: i.links.map((l) => renderLink(st, l)),
    params: i.params,
    discovered: null,
    effective_mtu: i.mtu ?? vlan?.mtu ?? 1500,
    vendor: i.type === "physical" ? "Intel Corporation" : null,
    product: i.type === "physical" ? "Ethernet Controller X710 for 10GbE SFP+" : null,
    firmware_version: i.type === "physical" ? "8.30" : null,
    link_connected: i.linkConnected,
    interface_speed: i.interfaceSpeed,
    link_speed: i.linkSpeed,
    numa_node: i.type === "physical" ? 0 : null,
    sriov_max_vf: 0,
    resource_uri: `${API}/nodes/${m.systemId}/interfaces/${i.id}/`,
  };
}

export function ipAddresses(st: SimState, m: Machine): string[] {
  const out: string[] = [];
  for (const i of m.interfaces) for (const l of i.links) if (l.ip && l.mode !== "dhcp") out.push(l.ip);
  return out;
}

function gateways(st: SimState, m: Machine): object {
  let v4: { gateway_ip: string | null; link_id: number | null } = { gateway_ip: null, link_id: null };
  if (m.gatewayLinkV4 !== null) {
    for (const i of m.interfaces)
      for (const l of i.links)
        if (l.id === m.gatewayLinkV4) {
          const s = st.subnets.find((x) => x.id === l.subnetId);
          v4 = { gateway_ip: s?.gateway ?? null, link_id: l.id };
        }
  }
  return { ipv4: v4, ipv6: { gateway_ip: null, link_id: null } };
}

function scriptStatus(s: number): string {
  return SCRIPT_STATUS[s] ?? "Unknown";
}

/** The script-result ids and statuses of the last commissioning, testing and installation. */
function scriptResults(m: Machine): Record<string, unknown> {
  return {
    current_commissioning_result_id: m.commissioningStatus === -1 ? null : m.id * 10 + 1,
    current_testing_result_id: m.testingStatus === -1 ? null : m.id * 10 + 2,
    current_installation_result_id: m.osystem ? m.id * 10 + 3 : null,
    commissioning_status: m.commissioningStatus,
    commissioning_status_name: scriptStatus(m.commissioningStatus),
    testing_status: m.testingStatus,
    testing_status_name: scriptStatus(m.testingStatus),
    cpu_test_status: m.testingStatus,
    cpu_test_status_name: scriptStatus(m.testingStatus),
    memory_test_status: m.testingStatus,
    memory_test_status_name: scriptStatus(m.testingStatus),
    network_test_status: -1,
    network_test_status_name: "Unknown",
    storage_test_status: m.testingStatus,
    storage_test_status_name: scriptStatus(m.testingStatus),
    other_test_status: -1,
    other_test_status_name: "Unknown",
    interface_test_status: -1,
    interface_test_status_name: "Unknown",
  };
}

function hardwareInfo(m: Machine): Record<string, string> {
  return {
    system_vendor: "Simulated",
    system_product: "SIM-1000",
    system_family: "Unknown",
    system_version: "Unknown",
    system_sku: "Unknown",
    system_serial: m.hardwareUuid ? m.hardwareUuid.slice(0, 8).toUpperCase() : "Unknown",
    cpu_model: "Intel(R) Xeon(R) Silver 4214 CPU @ 2.20GHz",
    mainboard_vendor: "Simulated",
    mainboard_product: "Unknown",
    mainboard_serial: "Unknown",
    mainboard_version: "Unknown",
    mainboard_firmware_vendor: "Unknown",
    mainboard_firmware_date: "Unknown",
    mainboard_firmware_version: "Unknown",
    chassis_vendor: "Unknown",
    chassis_type: "Unknown",
    chassis_serial: "Unknown",
    chassis_version: "Unknown",
  };
}

export function renderMachine(st: SimState, m: Machine): Record<string, unknown> {
  const phys = m.blockDevices.filter((b) => b.type === "physical");
  const virt = m.blockDevices.filter((b) => b.type === "virtual");
  const bd = bootDisk(m);
  const bi = m.interfaces.find((i) => i.id === m.bootInterfaceId) ?? m.interfaces.find((i) => i.type === "physical") ?? null;
  const stub = (id: number, kind: string) => ({ system_id: m.systemId, id, __incomplete__: true, resource_uri: `${API}/nodes/${m.systemId}/${kind}/${id}/` });
  return {
    system_id: m.systemId,
    hostname: m.hostname,
    fqdn: `${m.hostname}.${DOMAIN.name}`,
    description: m.description,
    hardware_uuid: m.hardwareUuid,
    domain: DOMAIN,
    owner: m.owner,
    owner_data: { ...m.ownerData },
    workload_annotations: { ...m.ownerData },
    locked: m.locked,
    status: m.status,
    status_name: STATUS_NAME[m.status],
    status_message: m.statusMessage,
    status_action: null,
    error_description: m.errorDescription,
    power_state: m.powerState,
    power_type: m.powerType,
    architecture: m.architecture,
    osystem: m.osystem,
    distro_series: m.distroSeries,
    hwe_kernel: m.hweKernel,
    min_hwe_kernel: m.minHweKernel,
    ephemeral_deploy: false,
    netboot: !(m.status === 6 || m.status === 9),
    disable_ipv4: false,
    enable_hw_sync: false,
    enable_kernel_crash_dump: false,
    bios_boot_method: m.biosBootMethod,
    cpu_count: m.cpuCount,
    cpu_speed: m.cpuSpeed,
    memory: m.memory,
    swap_size: m.swapSize,
    storage: phys.reduce((a, b) => a + b.size, 0) / 1e6,
    tag_names: m.tagNames,
    ip_addresses: ipAddresses(st, m),
    address_ttl: null,
    interface_set: m.interfaces.map((i) => renderIface(st, m, i)),
    boot_interface: bi ? renderIface(st, m, bi) : null,
    blockdevice_set: m.blockDevices.map((b) => renderBlockDevice(st, m, b)),
    physicalblockdevice_set: phys.map((b) => renderBlockDevice(st, m, b)),
    virtualblockdevice_set: virt.map((b) => renderBlockDevice(st, m, b)),
    iscsiblockdevice_set: [],
    boot_disk: bd ? renderBlockDevice(st, m, bd) : null,
    volume_groups: m.vgs.map((v) => stub(v.id, "volume-group")),
    raids: [],
    bcaches: [],
    cache_sets: [],
    special_filesystems: [],
    zone: renderZone(st.zones.find((z) => z.id === m.zoneId) ?? DEFAULT_ZONE),
    pool: renderPool(st.pools.find((x) => x.id === m.poolId) ?? DEFAULT_POOL),
    node_type: 0,
    node_type_name: "Machine",
    parent: null,
    pod: null,
    default_gateways: gateways(st, m),
    constraints_by_type: {},
    ...scriptResults(m),
    hardware_info: hardwareInfo(m),
    numanode_set: [{ index: 0, memory: m.memory, cores: Array.from({ length: m.cpuCount }, (_, i) => i), hugepages_set: [] }],
    virtualmachine_id: null,
    last_sync: null,
    next_sync: null,
    sync_interval: null,
    resource_uri: `${API}/machines/${m.systemId}/`,
  };
}
