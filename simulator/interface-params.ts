// Parameters and shared steps of the interface handlers (forms/interface.py choices and defaults).
import type { Iface, Machine } from "./model";
import { S } from "./model";
import type { SimState, Ctx } from "./state";
import type { Params } from "./http";
import { conflict, djangoBool, fieldErrors, normMac, notFound } from "./util";

const BOND_MODES = ["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"];
const LACP = ["fast", "slow"];
const HASH = ["layer2", "layer2+3", "layer3+4", "encap2+3", "encap3+4"];
const EDIT_STATES = new Set<number>([S.NEW, S.READY, S.FAILED_TESTING, S.ALLOCATED, S.BROKEN]);

export interface NetCtx {
  st: SimState;
  ctx: Ctx;
  p: Params;
  m: Machine;
}

export function requireEditState(m: Machine, op: string): void {
  if (!EDIT_STATES.has(m.status)) throw conflict(`Cannot ${op} interface because the machine is not New, Ready, Allocated, or Broken.`);
}

export function getIface(m: Machine, id: string): Iface {
  const i = m.interfaces.find((x) => String(x.id) === id || x.name === id);
  if (!i) throw notFound("Interface");
  return i;
}


export function choiceErr(field: string, v: string, choices: string[]): never {
  throw fieldErrors({ [field]: [`'${v}' is not a valid ${field}.  It should be one of: ${choices.map((c) => `'${c}'`).join(", ")}.`] });
}

export function intParam(p: Params, k: string, dflt: number, min = 0, max = Infinity): number {
  const v = p.get(k);
  if (v === undefined || v === "") return dflt;
  if (!/^-?\d+$/.test(v.trim())) throw fieldErrors({ [k]: ["Enter a whole number."] });
  const n = Number(v);
  if (n < min) throw fieldErrors({ [k]: [`Ensure this value is greater than or equal to ${min}.`] });
  if (n > max) throw fieldErrors({ [k]: [`Ensure this value is less than or equal to ${max}.`] });
  return n;
}

export function mtuParam(p: Params): number | null {
  if (!p.has("mtu") || p.get("mtu") === "") return null;
  return intParam(p, "mtu", 1500, 552, 65535);
}

export function tagsParam(p: Params): string[] | null {
  if (!p.has("tags")) return null;
  return p
    .getAll("tags")
    .flatMap((t) => t.split(","))
    .map((t) => t.trim())
    .filter(Boolean);
}

export function vlanParam(st: SimState, p: Params, k = "vlan"): number | null | undefined {
  if (!p.has(k)) return undefined;
  const v = p.get(k)!;
  if (v === "" || v === "null") return null;
  const vlan = st.vlans.find((x) => String(x.id) === v);
  if (!vlan) throw fieldErrors({ [k]: ["Select a valid choice. That choice is not one of the available choices."] });
  return vlan.id;
}

export function bondParams(p: Params, base?: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  const mode = p.get("bond_mode") ?? (base?.bond_mode as string) ?? "balance-rr";
  if (!BOND_MODES.includes(mode)) choiceErr("bond_mode", mode, BOND_MODES);
  const lacp = p.get("bond_lacp_rate") ?? (base?.bond_lacp_rate as string) ?? "fast";
  if (!LACP.includes(lacp)) choiceErr("bond_lacp_rate", lacp, LACP);
  const hash = p.get("bond_xmit_hash_policy") ?? (base?.bond_xmit_hash_policy as string) ?? "layer2";
  if (!HASH.includes(hash)) choiceErr("bond_xmit_hash_policy", hash, HASH);
  return {
    bond_mode: mode,
    bond_miimon: intParam(p, "bond_miimon", (base?.bond_miimon as number) ?? 100),
    bond_downdelay: intParam(p, "bond_downdelay", (base?.bond_downdelay as number) ?? 0),
    bond_updelay: intParam(p, "bond_updelay", (base?.bond_updelay as number) ?? 0),
    bond_lacp_rate: lacp,
    bond_xmit_hash_policy: hash,
    bond_num_grat_arp: intParam(p, "bond_num_grat_arp", (base?.bond_num_grat_arp as number) ?? 1, 0, 255),
  };
}

export function bridgeParams(p: Params, base?: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  const t = p.get("bridge_type") ?? (base?.bridge_type as string) ?? "standard";
  if (!["standard", "ovs"].includes(t)) choiceErr("bridge_type", t, ["standard", "ovs"]);
  return {
    bridge_type: t,
    bridge_stp: p.has("bridge_stp") ? djangoBool(p.get("bridge_stp")) : ((base?.bridge_stp as boolean) ?? false),
    bridge_fd: intParam(p, "bridge_fd", (base?.bridge_fd as number) ?? 15),
  };
}

export function inUse(m: Machine, i: Iface): boolean {
  return m.interfaces.some((c) => c.parents.includes(i.id) && (c.type === "bond" || c.type === "bridge"));
}

export function clearLinks(st: SimState, m: Machine, i: Iface): void {
  for (const l of i.links) {
    st.releaseIp(l.subnetId, l.ip);
    if (m.gatewayLinkV4 === l.id) m.gatewayLinkV4 = null;
  }
  i.links = [];
}

export function newIface(st: SimState, partial: Partial<Iface> & Pick<Iface, "name" | "type">): Iface {
  return {
    id: st.nextId("interface"),
    mac: null,
    vlanId: null,
    parents: [],
    enabled: true,
    tags: [],
    params: "",
    mtu: null,
    links: [],
    linkConnected: true,
    interfaceSpeed: 10000,
    linkSpeed: 10000,
    ...partial,
  };
}

export function withMtu(params: Iface["params"], mtu: number | null): Iface["params"] {
  if (mtu === null) return params;
  return { ...(params === "" ? {} : params), mtu };
}

export function parentsParam(m: Machine, p: Params, key: string): Iface[] {
  const ids = p.getAll(key);
  const out: Iface[] = [];
  for (const id of ids) {
    const i = m.interfaces.find((x) => String(x.id) === id);
    if (!i) throw fieldErrors({ [key]: [`Select a valid choice. ${id} is not one of the available choices.`] });
    out.push(i);
  }
  return out;
}

export function uniqueName(m: Machine, name: string, except?: Iface): void {
  if (m.interfaces.some((x) => x.name === name && x !== except)) throw fieldErrors({ name: [`Interface with this name already exists on node ${m.hostname}.`] });
}

/** PUT of an interface; `only` limits the fields (a Deployed machine's interface). */
export function applyUpdate(c: NetCtx, i: Iface, only: string[] | null): void {
  const p = c.p;
  const ok = (k: string) => p.has(k) && (only === null || only.includes(k));
  if (ok("name")) {
    uniqueName(c.m, p.get("name")!, i);
    i.name = p.get("name")!;
  }
  if (ok("mac_address")) {
    const mac = normMac(p.get("mac_address")!);
    if (!mac) throw fieldErrors({ mac_address: [`'${p.get("mac_address")}' is not a valid MAC address.`] });
    i.mac = mac;
  }
  if (ok("link_connected")) i.linkConnected = djangoBool(p.get("link_connected"));
  if (ok("interface_speed")) i.interfaceSpeed = intParam(p, "interface_speed", i.interfaceSpeed);
  if (ok("link_speed")) i.linkSpeed = intParam(p, "link_speed", i.linkSpeed);
  if (only !== null) return;
  if (p.has("enabled")) i.enabled = djangoBool(p.get("enabled"));
  const tags = tagsParam(p);
  if (tags) i.tags = tags;
  const vlan = vlanParam(c.st, p);
  if (vlan !== undefined && vlan !== i.vlanId) {
    for (const l of [...i.links]) {
      const s = c.st.subnets.find((x) => x.id === l.subnetId);
      if (s && s.vlanId !== vlan) {
        c.st.releaseIp(l.subnetId, l.ip);
        i.links = i.links.filter((x) => x !== l);
      }
    }
    i.vlanId = vlan;
  }
  let params = i.params;
  if (i.type === "bond" && p.keys().some((k) => k.startsWith("bond_"))) params = bondParams(p, params === "" ? undefined : params);
  if (i.type === "bridge" && p.keys().some((k) => k.startsWith("bridge_"))) params = bridgeParams(p, params === "" ? undefined : params);
  if (i.type === "bond" && p.has("parents")) {
    const parents = parentsParam(c.m, p, "parents");
    i.parents = parents.map((x) => x.id);
  }
  const mtu = mtuParam(p);
  if (mtu !== null) i.mtu = mtu;
  i.params = withMtu(params, mtu);
}
