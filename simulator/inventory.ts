import { readFileSync } from "node:fs";
import type { Server, ServerDisk, ServerNic } from "./model";
import { rng } from "./util";

export interface SubnetSpec {
  cidr: string;
  gateway: string | null;
  fabric: string;
  vid: number;
  name?: string;
}

/** A region user: `apiKey` (consumer:token:secret) is generated when not given. */
export interface UserSpec {
  username: string;
  isAdmin?: boolean;
  apiKey?: string;
}

export interface Inventory {
  servers: Server[];
  subnets: SubnetSpec[];
  users?: UserSpec[];
}

export const DEFAULT_SUBNETS: SubnetSpec[] = [
  { cidr: "10.0.0.0/24", gateway: "10.0.0.1", fabric: "fabric-0", vid: 0 },
  { cidr: "192.168.1.0/24", gateway: "192.168.1.1", fabric: "fabric-1", vid: 0 },
];

function serial(r: () => number, prefix: string): string {
  const chars = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
  let s = prefix;
  for (let i = 0; i < 10; i++) s += chars[Math.floor(r() * chars.length)];
  return s;
}

function disk(r: () => number, name: string, size: number): ServerDisk {
  return { name, size, serial: serial(r, "S4"), model: "SAMSUNG MZ7LH960" };
}

function fabricFor(name: string): string {
  return name === "eth2" ? "fabric-1" : "fabric-0";
}

export function defaultInventory(seed: number): Inventory {
  const r = rng(seed ^ 0x5eed);
  const nics = (macs: string[]): ServerNic[] => macs.map((mac, i) => ({ name: `eth${i}`, mac, fabric: fabricFor(`eth${i}`) }));
  const base = { memory: 32768, cpuCount: 8, systemId: null };
  return {
    subnets: DEFAULT_SUBNETS,
    servers: [
      { ...base, hostname: "node01", enlisted: false, status: "New", nics: nics(["aa:bb:cc:dd:ee:ff", "aa:bb:cc:dd:ee:01", "aa:bb:cc:dd:ee:02"]), disks: [disk(r, "sda", 960e9)], bmcAddress: "10.0.0.100" },
      { ...base, hostname: "node02", enlisted: false, status: "New", nics: nics(["aa:bb:cc:dd:ef:00", "aa:bb:cc:dd:ef:01", "aa:bb:cc:dd:ef:02"]), disks: [disk(r, "sda", 960e9)], bmcAddress: "10.0.0.101" },
      { ...base, hostname: "existing-node", enlisted: true, status: "Ready", nics: nics(["aa:bb:cc:dd:f0:00", "aa:bb:cc:dd:f0:01", "aa:bb:cc:dd:f0:02"]), disks: [disk(r, "sda", 960e9)], bmcAddress: "10.0.0.102" },
    ],
  };
}

export function generatedInventory(n: number, seed: number): Inventory {
  const r = rng(seed ^ 0x9e3779b9);
  const servers: Server[] = [];
  for (let i = 1; i <= n; i++) {
    const hi = (i >> 8) & 0xff;
    const lo = i & 0xff;
    const mid = (i >> 16) & 0xff;
    const mac = (k: number) => `52:54:${k.toString(16).padStart(2, "0")}:${mid.toString(16).padStart(2, "0")}:${hi.toString(16).padStart(2, "0")}:${lo.toString(16).padStart(2, "0")}`;
    servers.push({
      hostname: `node-${String(i).padStart(4, "0")}`,
      enlisted: false,
      status: "New",
      nics: [
        { name: "eth0", mac: mac(0), fabric: "fabric-0" },
        { name: "eth1", mac: mac(1), fabric: "fabric-0" },
      ],
      disks: [disk(r, "sda", 960e9)],
      memory: 16384 * (1 + Math.floor(r() * 4)),
      cpuCount: 4 * (1 + Math.floor(r() * 4)),
      bmcAddress: `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
      systemId: null,
    });
  }
  return { servers, subnets: DEFAULT_SUBNETS };
}

interface FileServer {
  hostname: string;
  enlisted?: boolean;
  status?: string;
  nics?: Array<{ name: string; mac: string; fabric?: string }>;
  disks?: Array<{ name: string; size: number | string; serial?: string; model?: string }>;
  memory?: number;
  cpuCount?: number;
  bmcAddress?: string;
}

export function loadInventory(path: string, seed: number): Inventory {
  const raw = JSON.parse(readFileSync(path, "utf8")) as { servers?: FileServer[]; subnets?: Array<Partial<SubnetSpec>>; users?: Array<{ username: string; admin?: boolean; apiKey?: string }> };
  const r = rng(seed ^ 0x1234);
  const servers: Server[] = (raw.servers ?? []).map((s, idx) => {
    const enlisted = s.enlisted ?? false;
    const st = (s.status ?? (enlisted ? "Ready" : "New")) as Server["status"];
    if (!["Ready", "New", "Deployed"].includes(st)) throw new Error(`inventory: bad status ${st} for ${s.hostname}`);
    return {
      hostname: s.hostname,
      enlisted,
      status: st,
      nics: (s.nics ?? []).map((n) => ({ name: n.name, mac: n.mac.toLowerCase(), fabric: n.fabric ?? fabricFor(n.name) })),
      disks: (s.disks ?? [{ name: "sda", size: 480e9 }]).map((d) => ({
        name: d.name,
        size: typeof d.size === "string" ? Number(d.size) : d.size,
        serial: d.serial ?? serial(r, "S4"),
        model: d.model ?? "SAMSUNG MZ7LH960",
      })),
      memory: s.memory ?? 32768,
      cpuCount: s.cpuCount ?? 8,
      bmcAddress: s.bmcAddress ?? `10.0.0.${100 + idx}`,
      systemId: null,
    };
  });
  const subnets: SubnetSpec[] = raw.subnets?.length
    ? raw.subnets.map((x, i) => ({ cidr: x.cidr!, gateway: x.gateway ?? null, fabric: x.fabric ?? `fabric-${i}`, vid: x.vid ?? 0, name: x.name }))
    : DEFAULT_SUBNETS;
  const users = (raw.users ?? []).map((u) => ({ username: u.username, isAdmin: u.admin ?? false, ...(u.apiKey ? { apiKey: u.apiKey } : {}) }));
  return { servers, subnets, users };
}

/** Hardware for a machine enlisted with MACs the inventory does not know. */
export function generatedHardware(hostname: string, macs: string[], r: () => number): Server {
  const nics: ServerNic[] = [];
  const m = [...macs];
  while (m.length < 2) {
    const b = Array.from({ length: 3 }, () => Math.floor(r() * 256).toString(16).padStart(2, "0"));
    m.push(`52:54:00:${b.join(":")}`);
  }
  m.forEach((mac, i) => nics.push({ name: `eth${i}`, mac, fabric: "fabric-0" }));
  return {
    hostname,
    enlisted: true,
    status: "New",
    nics,
    disks: [{ name: "sda", size: 480e9, serial: serial(r, "S5"), model: "QEMU HARDDISK" }],
    memory: 8192,
    cpuCount: 4,
    bmcAddress: "",
    systemId: null,
    generated: true,
  };
}
