/** Data model of the simulated region controller. */

export enum S {
  NEW = 0,
  COMMISSIONING = 1,
  FAILED_COMMISSIONING = 2,
  MISSING = 3,
  READY = 4,
  RESERVED = 5,
  DEPLOYED = 6,
  RETIRED = 7,
  BROKEN = 8,
  DEPLOYING = 9,
  ALLOCATED = 10,
  FAILED_DEPLOYMENT = 11,
  RELEASING = 12,
  FAILED_RELEASING = 13,
  DISK_ERASING = 14,
  FAILED_DISK_ERASING = 15,
  RESCUE_MODE = 16,
  ENTERING_RESCUE_MODE = 17,
  FAILED_ENTERING_RESCUE_MODE = 18,
  EXITING_RESCUE_MODE = 19,
  FAILED_EXITING_RESCUE_MODE = 20,
  TESTING = 21,
  FAILED_TESTING = 22,
}

export const STATUS_NAME: Record<number, string> = {
  0: "New",
  1: "Commissioning",
  2: "Failed commissioning",
  3: "Missing",
  4: "Ready",
  5: "Reserved",
  6: "Deployed",
  7: "Retired",
  8: "Broken",
  9: "Deploying",
  10: "Allocated",
  11: "Failed deployment",
  12: "Releasing",
  13: "Releasing failed",
  14: "Disk erasing",
  15: "Failed disk erasing",
  16: "Rescue mode",
  17: "Entering rescue mode",
  18: "Failed to enter rescue mode",
  19: "Exiting rescue mode",
  20: "Failed to exit rescue mode",
  21: "Testing",
  22: "Failed testing",
};

export const BUSY_STATES = new Set<number>([S.COMMISSIONING, S.TESTING, S.DEPLOYING, S.RELEASING, S.DISK_ERASING]);

export interface Filesystem {
  fstype: string;
  label: string | null;
  uuid: string;
  mountPoint: string | null;
  mountOptions: string | null;
}

export interface Partition {
  id: number;
  uuid: string;
  index: number;
  size: number;
  bootable: boolean;
  filesystem: Filesystem | null;
  tags: string[];
}

export interface BlockDevice {
  id: number;
  name: string;
  type: "physical" | "virtual";
  model: string | null;
  serial: string | null;
  idPath: string | null;
  uuid: string | null;
  size: number;
  blockSize: number;
  tags: string[];
  filesystem: Filesystem | null;
  ptableType: "GPT" | "MBR" | null;
  partitions: Partition[];
  /** For logical volumes: owning VG id. */
  vgId: number | null;
}

export interface VolumeGroup {
  id: number;
  name: string;
  uuid: string;
  /** members: block device ids or partition ids */
  members: Array<{ kind: "bd" | "part"; id: number }>;
}

export interface Link {
  id: number;
  mode: "auto" | "dhcp" | "static" | "link_up";
  subnetId: number | null;
  ip: string | null;
}

export interface Iface {
  id: number;
  name: string;
  type: "physical" | "bond" | "bridge" | "vlan";
  mac: string | null;
  vlanId: number | null;
  parents: number[];
  enabled: boolean;
  tags: string[];
  params: Record<string, string | number | boolean> | "";
  mtu: number | null;
  links: Link[];
  linkConnected: boolean;
  interfaceSpeed: number;
  linkSpeed: number;
}

/** What a background timer does when it fires: the lifecycle step and its virtual due time (seconds). */
export type StepName = "commissioned" | "tested" | "deployed" | "erased" | "released";
export interface PendingStep {
  step: StepName;
  due: number;
}

export interface Transition {
  from: string;
  to: string;
  at: string;
}

export interface Machine {
  id: number;
  systemId: string;
  hostname: string;
  description: string;
  owner: string | null;
  ownerData: Record<string, string>;
  locked: boolean;
  status: S;
  previousStatus: S;
  statusMessage: string | null;
  errorDescription: string;
  powerState: "on" | "off" | "unknown" | "error";
  powerType: string;
  powerParams: Record<string, string>;
  architecture: string;
  minHweKernel: string;
  hweKernel: string | null;
  osystem: string;
  distroSeries: string;
  agentName: string;
  userData: string | null;
  biosBootMethod: string;
  cpuCount: number;
  cpuSpeed: number;
  memory: number;
  swapSize: number | null;
  hardwareUuid: string | null;
  serverName: string | null;
  /** the hardware commissioning reports */
  hw: Server | null;
  brokenFrom: S | null;
  testingFrom: S | null;
  interfaces: Iface[];
  bootInterfaceId: number | null;
  blockDevices: BlockDevice[];
  vgs: VolumeGroup[];
  bootDiskId: number | null;
  gatewayLinkV4: number | null;
  commissioningStatus: number;
  testingStatus: number;
  tagNames: string[];
  /** Zone.id and ResourcePool.id (models/node.py foreign keys) */
  zoneId: number;
  poolId: number;
  // simulation bookkeeping
  /** the background transition under way, if any (its timer is armed by SimState) */
  pending: PendingStep | null;
  /** virtual second the machine entered its current busy state, null when not busy */
  busySince: number | null;
  busySeconds: number;
  transitions: Transition[];
  requests: number;
  releaseErase: boolean;
  commissionOpts: { skipNetworking: boolean; skipStorage: boolean };
}

/** A physical zone or a resource pool: the same shape in MAAS (id, name, description). */
export interface Place {
  id: number;
  name: string;
  description: string;
}
// a fresh region's zone and pool (models/defaultresource.py, models/resourcepool.py: pool 0)
export const DEFAULT_ZONE: Place = { id: 1, name: "default", description: "" };
export const DEFAULT_POOL: Place = { id: 0, name: "default", description: "Default pool" };

/** A tag (models/tag.py); machines carry tag names (Machine.tagNames). */
export interface Tag {
  name: string;
  definition: string;
  comment: string;
  kernelOpts: string;
}

export interface Fabric {
  id: number;
  name: string;
  classType: string | null;
}
export interface Vlan {
  id: number;
  vid: number;
  name: string;
  fabricId: number;
  mtu: number;
  dhcpOn: boolean;
}
export interface Subnet {
  id: number;
  name: string;
  cidr: string;
  gateway: string | null;
  vlanId: number;
  dnsServers: string[];
  managed: boolean;
}

export interface ServerNic {
  name: string;
  mac: string;
  fabric: string;
}
export interface ServerDisk {
  name: string;
  size: number;
  serial: string;
  model: string;
}
/** A physical server of the inventory. */
export interface Server {
  hostname: string;
  enlisted: boolean;
  status: "Ready" | "New" | "Deployed";
  nics: ServerNic[];
  disks: ServerDisk[];
  memory: number;
  cpuCount: number;
  bmcAddress: string;
  systemId: string | null;
  generated?: boolean;
}
