// The simulator's state on disk (`--state FILE`): what a region would keep in its database, so a
// stopped simulator comes back with the same machines, networks and API key. Written atomically
// (write, then rename), so a kill during a write leaves the previous copy.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Fabric, Machine, Server, Subnet, Vlan } from "./model";
import type { SimState } from "./state";

export interface SimSnapshot {
  version: 1;
  apiKey: string;
  ids: Record<string, number>;
  machines: Machine[];
  deleted: Machine[];
  fabrics: Fabric[];
  vlans: Vlan[];
  subnets: Subnet[];
  servers: Server[];
  usedIps: Record<string, string[]>;
}

function plain(m: Machine): Machine {
  return m;
}

export function snapshot(st: SimState, apiKey: string): SimSnapshot {
  return {
    version: 1,
    apiKey,
    ids: st.idCounters(),
    machines: st.machines.map(plain),
    deleted: [...st.deleted.values()].map(plain),
    fabrics: st.fabrics,
    vlans: st.vlans,
    subnets: st.subnets,
    servers: st.servers,
    usedIps: Object.fromEntries([...st.usedIps].map(([id, ips]) => [String(id), [...ips]])),
  };
}

export function saveState(file: string, snap: SimSnapshot): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify(snap));
  renameSync(tmp, file);
}

export function loadState(file: string): SimSnapshot | undefined {
  if (!existsSync(file)) return undefined;
  const snap = JSON.parse(readFileSync(file, "utf8")) as SimSnapshot;
  if (snap.version !== 1) throw new Error(`${file}: state version ${String(snap.version)} is not one this simulator reads (1)`);
  return snap;
}

/** Puts a snapshot's objects back into a fresh state (machines keep their system_ids and hardware). */
export function restore(st: SimState, snap: SimSnapshot): void {
  const revive = (m: Machine): Machine => ({ ...m, pending: null, busySince: null });
  st.fabrics = snap.fabrics;
  st.vlans = snap.vlans;
  st.subnets = snap.subnets;
  st.servers = snap.servers;
  st.machines = snap.machines.map(revive);
  st.bySystemId = new Map(st.machines.map((m) => [m.systemId, m]));
  st.deleted = new Map(snap.deleted.map((m) => [m.systemId, revive(m)]));
  st.usedIps = new Map(Object.entries(snap.usedIps).map(([id, ips]) => [Number(id), new Set(ips)]));
  st.setIdCounters(snap.ids);
}
