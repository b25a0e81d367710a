// The simulator's state on disk (`--state FILE`): what a region keeps in its database, so a stopped (or
// killed) simulator comes back with the same machines, networks, users and keys, and with its background
// transitions where they were. Written atomically (write, then rename), so a kill during a write leaves
// the previous copy. Version 2 adds the virtual clock (with the wall time it was read at), the users and each machine's pending step; version
// 1 files (one admin key, no clock) are still read.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import type { Fabric, Machine, Place, Server, Subnet, Tag, Vlan } from "./model";
import { BUSY_STATES, DEFAULT_POOL, DEFAULT_ZONE } from "./model";
import type { SimState, UserRecord } from "./state";
import { interruptedStep } from "./lifecycle";
import type { NodeEvent } from "./event-log";

export const SNAPSHOT_VERSION = 2;

interface SnapshotBody {
  ids: Record<string, number>;
  machines: Machine[];
  deleted: Machine[];
  fabrics: Fabric[];
  vlans: Vlan[];
  subnets: Subnet[];
  servers: Server[];
  usedIps: Record<string, string[]>;
}

export interface SimSnapshot extends SnapshotBody {
  version: 2;
  /** virtual seconds when the snapshot was written */
  clock: number;
  /** wall-clock milliseconds (epoch) when the snapshot was written */
  wallClock: number;
  users: UserRecord[];
  config: Record<string, unknown>;
  /** zones, resource pools and tags (absent in files written before they existed) */
  zones?: Place[];
  pools?: Place[];
  tags?: Tag[];
  /** MAAS's event log */
  events: NodeEvent[];
}

/** What release c762a46 wrote: the admin's key, machines without pending steps, wall-clock busySince. */
interface SnapshotV1 extends SnapshotBody {
  version: 1;
  apiKey: string;
}

export function snapshot(st: SimState): SimSnapshot {
  return {
    version: SNAPSHOT_VERSION,
    clock: st.clock.now(),
    wallClock: Date.now(),
    users: st.users,
    config: st.config,
    zones: st.zones,
    pools: st.pools,
    tags: st.tags,
    events: st.eventLog,
    ids: st.idCounters(),
    machines: st.machines,
    deleted: [...st.deleted.values()],
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

/** A version 1 machine: its busy phase lost its timer, so the phase starts again from the beginning. */
function upgradeMachineV1(m: Machine): Machine {
  const busy = BUSY_STATES.has(m.status);
  return { ...m, pending: busy ? interruptedStep(m, 0) : null, busySince: busy ? 0 : null };
}

function upgradeV1(v1: SnapshotV1): SimSnapshot {
  const { version: _version, apiKey, ...body } = v1;
  return {
    ...body,
    version: SNAPSHOT_VERSION,
    clock: 0,
    wallClock: Date.now(),
    users: [{ username: "admin", isAdmin: true, apiKeys: [apiKey] }],
    config: {},
    events: [],
    machines: v1.machines.map(upgradeMachineV1),
    deleted: v1.deleted.map((m) => ({ ...m, pending: null, busySince: null })),
  };
}

export function loadState(file: string): SimSnapshot | undefined {
  if (!existsSync(file)) return undefined;
  let raw: { version?: unknown };
  try {
    raw = JSON.parse(readFileSync(file, "utf8")) as { version?: unknown };
  } catch (e) {
    throw new Error(`${file}: not a simulator state file`, { cause: e });
  }
  if (raw.version === 1) return upgradeV1(raw as SnapshotV1);
  if (raw.version === SNAPSHOT_VERSION) return raw as SimSnapshot;
  throw new Error(`${file}: state version ${String(raw.version)} is not one this simulator reads (1, ${SNAPSHOT_VERSION})`);
}

/**
 * Where virtual time resumes: it kept running (at `speed`) while the simulator was stopped, as the
 * machines themselves would have, so a step that fell due meanwhile happens right after the restart.
 */
export function resumedClock(snap: SimSnapshot, speed: number): number {
  return snap.clock + (Math.max(0, Date.now() - snap.wallClock) / 1000) * speed;
}

/** Fields added to machines after version 1 files were written, for records that lack them. */
function reviveMachine(m: Machine): Machine {
  return { ...m, pending: m.pending ?? null, zoneId: m.zoneId ?? DEFAULT_ZONE.id, poolId: m.poolId ?? DEFAULT_POOL.id };
}

/** Puts a snapshot's objects back into a fresh state and re-arms the machines' pending steps. */
export function restore(st: SimState, snap: SimSnapshot): void {
  st.fabrics = snap.fabrics;
  st.vlans = snap.vlans;
  st.subnets = snap.subnets;
  st.servers = snap.servers;
  st.users = snap.users;
  st.config = { ...st.config, ...snap.config };
  if (snap.zones) st.zones = snap.zones;
  if (snap.pools) st.pools = snap.pools;
  if (snap.tags) st.tags = snap.tags;
  st.eventLog = snap.events ?? [];
  st.machines = snap.machines.map(reviveMachine);
  st.bySystemId = new Map(st.machines.map((m) => [m.systemId, m]));
  st.deleted = new Map(snap.deleted.map((m) => [m.systemId, reviveMachine(m)]));
  st.usedIps = new Map(Object.entries(snap.usedIps).map(([id, ips]) => [Number(id), new Set(ips)]));
  st.setIdCounters(snap.ids);
  for (const m of st.machines) st.arm(m);
}
