// Machines and their hardware: a new machine record, what commissioning discovers (disks, NICs, memory,
// CPUs) and the machines of the inventory that exist at start.
import type { BlockDevice, Iface, Machine, Server } from "./model";
import { DEFAULT_POOL, DEFAULT_ZONE, S } from "./model";
import type { SimState } from "./state";
import { uuid4 } from "./util";
import { applyLayout } from "./storage-layout";
import { clearLinks, newIface } from "./interface-params";
import { assignAutoIps } from "./addresses";

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
    zoneId: DEFAULT_ZONE.id,
    poolId: DEFAULT_POOL.id,
    pending: null,
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

export function vlanForFabric(st: SimState, fabric: string): number {
  const f = st.fabricByName(fabric) ?? st.fabrics[0]!;
  return st.untaggedVlan(f.id).id;
}

function discoverDisks(st: SimState, m: Machine, hw: Server): void {
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

/** NICs as the hardware has them (bonds, VLANs, bridges gone); the first one gets an AUTO link. */
function discoverNics(st: SimState, m: Machine, hw: Server): void {
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

/** What commissioning reports: disks, NICs, memory, CPUs. */
export function discoverHardware(st: SimState, m: Machine, opts: { storage: boolean; network: boolean }): void {
  const hw = m.hw;
  if (!hw) return;
  m.memory = hw.memory;
  m.cpuCount = hw.cpuCount;
  m.cpuSpeed = 2200;
  m.hardwareUuid ??= uuid4(st.r);
  if (opts.storage || m.blockDevices.length === 0) discoverDisks(st, m, hw);
  if (opts.network || m.interfaces.length === 0) discoverNics(st, m, hw);
}

function markDeployedAtStart(st: SimState, m: Machine, owner: string): void {
  assignAutoIps(st, m);
  m.owner = owner;
  m.osystem = "ubuntu";
  m.distroSeries = "jammy";
  m.hweKernel = "ga-22.04";
  m.powerState = "on";
  st.setStatus(m, S.DEPLOYED, null);
}

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
  if (server.status === "Ready") st.setStatus(m, S.READY, null);
  if (server.status === "Deployed") markDeployedAtStart(st, m, owner);
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
