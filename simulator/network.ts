import type { Iface, Link, Machine, Subnet } from "./model";
import { S } from "./model";
import type { SimState, Ctx } from "./state";
import type { Params, SimResponse } from "./http";
import { jsonRes } from "./http";
import { badRequest, conflict, fieldErrors, forbidden, ipInCidr, normMac, notFound, stringBool, djangoBool } from "./util";
import { renderFabric, renderIface, renderSubnet, renderVlan } from "./render";

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

function requireEditState(m: Machine, op: string): void {
  if (!EDIT_STATES.has(m.status)) throw conflict(`Cannot ${op} interface because the machine is not New, Ready, Allocated, or Broken.`);
}
function requireAdmin(ctx: Ctx): void {
  if (!ctx.user?.isAdmin) throw forbidden("This method is reserved for admin users.");
}

function getIface(m: Machine, id: string): Iface {
  const i = m.interfaces.find((x) => String(x.id) === id || x.name === id);
  if (!i) throw notFound("Interface");
  return i;
}

export function findSubnet(st: SimState, spec: string): Subnet | undefined {
  const s = spec.trim();
  return st.subnets.find((x) => String(x.id) === s || x.cidr === s || x.name === s || `cidr:${x.cidr}` === s || `name:${x.name}` === s || `id:${x.id}` === s);
}

function choiceErr(field: string, v: string, choices: string[]): never {
  throw fieldErrors({ [field]: [`'${v}' is not a valid ${field}.  It should be one of: ${choices.map((c) => `'${c}'`).join(", ")}.`] });
}

function intParam(p: Params, k: string, dflt: number, min = 0, max = Infinity): number {
  const v = p.get(k);
  if (v === undefined || v === "") return dflt;
  if (!/^-?\d+$/.test(v.trim())) throw fieldErrors({ [k]: ["Enter a whole number."] });
  const n = Number(v);
  if (n < min) throw fieldErrors({ [k]: [`Ensure this value is greater than or equal to ${min}.`] });
  if (n > max) throw fieldErrors({ [k]: [`Ensure this value is less than or equal to ${max}.`] });
  return n;
}

function mtuParam(p: Params): number | null {
  if (!p.has("mtu") || p.get("mtu") === "") return null;
  return intParam(p, "mtu", 1500, 552, 65535);
}

function tagsParam(p: Params): string[] | null {
  if (!p.has("tags")) return null;
  return p
    .getAll("tags")
    .flatMap((t) => t.split(","))
    .map((t) => t.trim())
    .filter(Boolean);
}

function vlanParam(st: SimState, p: Params, k = "vlan"): number | null | undefined {
  if (!p.has(k)) return undefined;
  const v = p.get(k)!;
  if (v === "" || v === "null") return null;
  const vlan = st.vlans.find((x) => String(x.id) === v);
  if (!vlan) throw fieldErrors({ [k]: ["Select a valid choice. That choice is not one of the available choices."] });
  return vlan.id;
}

function bondParams(p: Params, base?: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
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

function bridgeParams(p: Params, base?: Record<string, string | number | boolean>): Record<string, string | number | boolean> {
  const t = p.get("bridge_type") ?? (base?.bridge_type as string) ?? "standard";
  if (!["standard", "ovs"].includes(t)) choiceErr("bridge_type", t, ["standard", "ovs"]);
  return {
    bridge_type: t,
    bridge_stp: p.has("bridge_stp") ? djangoBool(p.get("bridge_stp")) : ((base?.bridge_stp as boolean) ?? false),
    bridge_fd: intParam(p, "bridge_fd", (base?.bridge_fd as number) ?? 15),
  };
}

function inUse(m: Machine, i: Iface): boolean {
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

function withMtu(params: Iface["params"], mtu: number | null): Iface["params"] {
  if (mtu === null) return params;
  return { ...(params === "" ? {} : params), mtu };
}

function parentsParam(m: Machine, p: Params, key: string): Iface[] {
  const ids = p.getAll(key);
  const out: Iface[] = [];
  for (const id of ids) {
    const i = m.interfaces.find((x) => String(x.id) === id);
    if (!i) throw fieldErrors({ [key]: [`Select a valid choice. ${id} is not one of the available choices.`] });
    out.push(i);
  }
  return out;
}

function uniqueName(m: Machine, name: string, except?: Iface): void {
  if (m.interfaces.some((x) => x.name === name && x !== except)) throw fieldErrors({ name: [`Interface with this name already exists on node ${m.hostname}.`] });
}

export const netHandlers = {
  list(c: NetCtx): SimResponse {
    return jsonRes(c.m.interfaces.map((i) => renderIface(c.st, c.m, i)));
  },
  read(c: NetCtx, id: string): SimResponse {
    return jsonRes(renderIface(c.st, c.m, getIface(c.m, id)));
  },
  createPhysical(c: NetCtx): SimResponse {
    requireAdmin(c.ctx);
    requireEditState(c.m, "create");
    const macRaw = c.p.get("mac_address");
    if (!macRaw) throw fieldErrors({ mac_address: ["This field is required."] });
    const mac = normMac(macRaw);
    if (!mac) throw fieldErrors({ mac_address: [`'${macRaw}' is not a valid MAC address.`] });
    for (const other of c.st.machines)
      if (other.interfaces.some((i) => i.type === "physical" && i.mac === mac))
        throw fieldErrors({ mac_address: [`This MAC address is already in use by ${other.hostname}.`] });
    const name = c.p.get("name") || `eth${c.m.interfaces.filter((i) => i.type === "physical").length}`;
    uniqueName(c.m, name);
    const vlan = vlanParam(c.st, c.p);
    const i = newIface(c.st, { name, type: "physical", mac, vlanId: vlan === undefined ? c.st.untaggedVlan(0).id : vlan, tags: tagsParam(c.p) ?? [], mtu: mtuParam(c.p) });
    i.params = withMtu("", i.mtu);
    c.m.interfaces.push(i);
    return jsonRes(renderIface(c.st, c.m, i));
  },
  createBond(c: NetCtx): SimResponse {
    requireAdmin(c.ctx);
    requireEditState(c.m, "create");
    const name = c.p.get("name");
    const errs: Record<string, string[]> = {};
    if (!name) errs.name = ["This field is required."];
    if (c.p.getAll("parents").length === 0) errs.parents = ["A bond interface must have one or more parents."];
    if (Object.keys(errs).length) throw fieldErrors(errs);
    uniqueName(c.m, name!);
    const parents = parentsParam(c.m, c.p, "parents");
    const busy = parents.filter((x) => inUse(c.m, x));
    if (busy.length) throw fieldErrors({ parents: [`Interfaces already in-use: ${busy.map((x) => x.name).join(", ")}.`] });
    if (parents.some((x) => x.type === "bond" || x.type === "vlan")) throw fieldErrors({ parents: ["A bond interface can only have physical parents."] });
    if (new Set(parents.map((x) => x.vlanId)).size > 1) throw fieldErrors({ parents: ["All parents must belong to the same VLAN."] });
    const params = bondParams(c.p);
    const mtu = mtuParam(c.p);
    let mac = parents[0]!.mac;
    if (c.p.get("mac_address")) {
      mac = normMac(c.p.get("mac_address")!);
      if (!mac) throw fieldErrors({ mac_address: [`'${c.p.get("mac_address")}' is not a valid MAC address.`] });
    }
    const vlan = vlanParam(c.st, c.p);
    for (const par of parents) clearLinks(c.st, c.m, par);
    const i = newIface(c.st, {
      name: name!,
      type: "bond",
      mac,
      vlanId: vlan === undefined ? parents[0]!.vlanId : vlan,
      parents: parents.map((x) => x.id),
      tags: tagsParam(c.p) ?? [],
      params: withMtu(params, mtu),
      mtu,
      interfaceSpeed: parents.reduce((a, x) => a + x.interfaceSpeed, 0),
      linkSpeed: parents.reduce((a, x) => a + x.linkSpeed, 0),
    });
    c.m.interfaces.push(i);
    return jsonRes(renderIface(c.st, c.m, i));
  },
  createVlan(c: NetCtx): SimResponse {
    requireAdmin(c.ctx);
    requireEditState(c.m, "create");
    const errs: Record<string, string[]> = {};
    if (!c.p.get("vlan")) errs.vlan = ["This field is required."];
    const parentIds = c.p.getAll("parent").concat(c.p.getAll("parents"));
    if (parentIds.length === 0) errs.parent = ["This field is required."];
    if (Object.keys(errs).length) throw fieldErrors(errs);
    if (parentIds.length !== 1) throw fieldErrors({ parent: ["A VLAN interface must have exactly one parent."] });
    const parent = c.m.interfaces.find((x) => String(x.id) === parentIds[0]);
    if (!parent) throw fieldErrors({ parent: [`Select a valid choice. ${parentIds[0]} is not one of the available choices.`] });
    if (parent.type === "vlan") throw fieldErrors({ parent: ["VLAN interface can't have another VLAN interface as parent."] });
    if (c.m.interfaces.some((x) => x.type === "bond" && x.parents.includes(parent.id)))
      throw fieldErrors({ parent: ["A VLAN interface can't have a parent that is already in a bond."] });
    const vlanId = vlanParam(c.st, c.p)!;
    const vlan = c.st.vlans.find((v) => v.id === vlanId)!;
    if (vlan.vid === 0) throw fieldErrors({ vlan: ["A VLAN interface can only belong to a tagged VLAN."] });
    const pv = c.st.vlans.find((v) => v.id === parent.vlanId);
    if (pv && pv.fabricId !== vlan.fabricId) throw fieldErrors({ vlan: ["A VLAN interface can only belong to a VLAN on the same fabric as its parent."] });
    const name = `${parent.name}.${vlan.vid}`;
    if (c.m.interfaces.some((x) => x.name === name)) throw fieldErrors({ __all__: ["A VLAN interface with this VLAN already exists on this parent."] });
    const mtu = mtuParam(c.p);
    const i = newIface(c.st, { name, type: "vlan", mac: parent.mac, vlanId, parents: [parent.id], tags: tagsParam(c.p) ?? [], mtu, params: withMtu("", mtu) });
    c.m.interfaces.push(i);
    return jsonRes(renderIface(c.st, c.m, i));
  },
  createBridge(c: NetCtx): SimResponse {
    requireAdmin(c.ctx);
    requireEditState(c.m, "create");
    const parentIds = c.p.getAll("parent").concat(c.p.getAll("parents"));
    if (parentIds.length === 0) throw fieldErrors({ parent: ["This field is required."] });
    if (parentIds.length !== 1) throw fieldErrors({ parent: ["A bridge interface must have exactly one parent."] });
    const parent = c.m.interfaces.find((x) => String(x.id) === parentIds[0]);
    if (!parent) throw fieldErrors({ parent: [`Select a valid choice. ${parentIds[0]} is not one of the available choices.`] });
    if (parent.type === "bridge") throw fieldErrors({ parent: ["A bridge interface can't have another bridge interface as parent."] });
    if (inUse(c.m, parent)) throw fieldErrors({ parent: [`Interfaces already in-use: ${parent.name}.`] });
    const name = c.p.get("name") || `br-${parent.name}`;
    uniqueName(c.m, name);
    const params = bridgeParams(c.p);
    const mtu = mtuParam(c.p);
    const vlan = c.m.status === S.ALLOCATED ? undefined : vlanParam(c.st, c.p);
    const i = newIface(c.st, {
      name,
      type: "bridge",
      mac: c.p.get("mac_address") ? normMac(c.p.get("mac_address")!) : parent.mac,
      vlanId: vlan === undefined ? parent.vlanId : vlan,
      parents: [parent.id],
      tags: tagsParam(c.p) ?? [],
      params: withMtu(params, mtu),
      mtu,
    });
    if (c.m.status === S.ALLOCATED) {
      i.links = parent.links;
      parent.links = [];
    } else clearLinks(c.st, c.m, parent);
    c.m.interfaces.push(i);
    return jsonRes(renderIface(c.st, c.m, i));
  },
  update(c: NetCtx, id: string): SimResponse {
    const i = getIface(c.m, id);
    if (c.m.status === S.DEPLOYED) {
      const allowed = ["name", "mac_address", "link_connected", "interface_speed", "link_speed"];
      const bad = c.p.keys().filter((k) => !allowed.includes(k) && k !== "op");
      if (bad.length === 0) {
        applyUpdate(c, i, allowed);
        return jsonRes(renderIface(c.st, c.m, i));
      }
    }
    requireAdmin(c.ctx);
    requireEditState(c.m, "update");
    applyUpdate(c, i, null);
    return jsonRes(renderIface(c.st, c.m, i));
  },
  delete(c: NetCtx, id: string): SimResponse {
    requireAdmin(c.ctx);
    const i = getIface(c.m, id);
    requireEditState(c.m, "delete");
    clearLinks(c.st, c.m, i);
    c.m.interfaces = c.m.interfaces.filter((x) => x !== i);
    // children (vlan interfaces) of a deleted interface go too; bonds/bridges lose the parent
    for (const ch of c.m.interfaces.filter((x) => x.parents.includes(i.id))) {
      ch.parents = ch.parents.filter((p) => p !== i.id);
      if (ch.type === "vlan" || ch.parents.length === 0) {
        clearLinks(c.st, c.m, ch);
        c.m.interfaces = c.m.interfaces.filter((x) => x !== ch);
      }
    }
    if (c.m.bootInterfaceId === i.id) c.m.bootInterfaceId = null;
    return { status: 204, body: "", contentType: "text/plain; charset=utf-8" };
  },
  linkSubnet(c: NetCtx, id: string): SimResponse {
    const i = getIface(c.m, id);
    requireEditState(c.m, "link");
    const modeRaw = c.p.get("mode");
    if (!modeRaw) throw fieldErrors({ mode: ["This field is required."] });
    const mode = modeRaw.toLowerCase() as Link["mode"];
    const modes = ["auto", "dhcp", "static", "link_up"];
    if (!modes.includes(mode)) throw fieldErrors({ mode: [`Select a valid choice. ${modeRaw} is not one of the available choices.`] });
    const force = stringBool(c.p.get("force"));
    const defaultGw = djangoBool(c.p.get("default_gateway"));
    let subnet: Subnet | undefined;
    const sv = c.p.get("subnet");
    if (sv) {
      subnet = findSubnet(c.st, sv);
      if (!subnet) throw fieldErrors({ subnet: ["Select a valid choice. That choice is not one of the available choices."] });
    }
    if ((mode === "auto" || mode === "static") && !subnet) throw fieldErrors({ subnet: ["This field is required."] });
    if (subnet && i.vlanId !== null && subnet.vlanId !== i.vlanId && !force)
      throw fieldErrors({ subnet: ["Select a valid choice. That choice is not one of the available choices."] });
    if (defaultGw && !(mode === "auto" || mode === "static")) throw fieldErrors({ default_gateway: [`Cannot use in mode '${mode}'.`] });
    if (defaultGw && subnet && !subnet.gateway) throw fieldErrors({ default_gateway: [`Subnet ${subnet.cidr} doesn't have a gateway IP address set.`] });
    if (mode === "dhcp" && i.links.some((l) => l.mode === "dhcp")) throw fieldErrors({ mode: ["Interface already has a link in DHCP mode."] });
    if (mode === "link_up" && i.links.length > 0 && !force)
      throw fieldErrors({
        mode: ["Cannot configure interface to link up (with no IP address) while other links are already configured. Specify force=True to override this behavior and delete all links."],
      });
    let ip: string | null = null;
    if (mode === "static") {
      const want = c.p.get("ip_address");
      if (want) {
        if (!ipInCidr(want, subnet!.cidr)) throw fieldErrors({ ip_address: [`IP address is not in the given subnet '${subnet!.name}'.`] });
        if (!c.st.claimIp(subnet!, want)) throw fieldErrors({ ip_address: [`IP address ${want} is already in use.`] });
        ip = want;
      } else {
        ip = c.st.allocateIp(subnet!);
        if (!ip) throw badRequest(`No more IPs available in subnet: ${subnet!.cidr}.`);
      }
    }
    if (force && mode === "link_up") clearLinks(c.st, c.m, i);
    // an existing link_up link is replaced by a real link
    i.links = i.links.filter((l) => l.mode !== "link_up");
    if (subnet) i.vlanId = subnet.vlanId;
    const link: Link = { id: c.st.nextId("link"), mode, subnetId: subnet?.id ?? null, ip };
    i.links.push(link);
    if (defaultGw) c.m.gatewayLinkV4 = link.id;
    return jsonRes(renderIface(c.st, c.m, i));
  },
  unlinkSubnet(c: NetCtx, id: string): SimResponse {
    const i = getIface(c.m, id);
    requireEditState(c.m, "unlink");
    const lid = c.p.get("id");
    if (!lid) throw fieldErrors({ id: ["This field is required."] });
    const link = i.links.find((l) => String(l.id) === lid);
    if (!link) throw fieldErrors({ id: [`Select a valid choice. ${lid} is not one of the available choices.`] });
    c.st.releaseIp(link.subnetId, link.ip);
    if (c.m.gatewayLinkV4 === link.id) c.m.gatewayLinkV4 = null;
    i.links = i.links.filter((l) => l !== link);
    return jsonRes(renderIface(c.st, c.m, i));
  },
  disconnect(c: NetCtx, id: string): SimResponse {
    const i = getIface(c.m, id);
    requireEditState(c.m, "disconnect");
    clearLinks(c.st, c.m, i);
    i.vlanId = null;
    return jsonRes(renderIface(c.st, c.m, i));
  },
  setDefaultGateway(c: NetCtx, id: string): SimResponse {
    const i = getIface(c.m, id);
    requireEditState(c.m, "set default gateway for");
    const lid = c.p.get("link_id");
    const cands = i.links.filter((l) => (l.mode === "auto" || l.mode === "static") && l.subnetId !== null && c.st.subnets.find((s) => s.id === l.subnetId)?.gateway);
    let link: Link | undefined;
    if (lid) link = cands.find((l) => String(l.id) === lid);
    else if (cands.length === 1) link = cands[0];
    else if (cands.length > 1) throw fieldErrors({ link_id: ["This field is required; Interface has more than one link with a gateway IP address."] });
    if (!link) throw fieldErrors({ __all__: ["This interface has no usable gateways."] });
    c.m.gatewayLinkV4 = link.id;
    return jsonRes(renderIface(c.st, c.m, i));
  },
  tag(c: NetCtx, id: string, add: boolean): SimResponse {
    const i = getIface(c.m, id);
    const tag = c.p.get("tag");
    if (!tag) throw fieldErrors({ tag: ["This field is required."] });
    if (add && !i.tags.includes(tag)) i.tags.push(tag);
    if (!add) i.tags = i.tags.filter((t) => t !== tag);
    return jsonRes(renderIface(c.st, c.m, i));
  },
};

function applyUpdate(c: NetCtx, i: Iface, only: string[] | null): void {
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

// ---------------------------------------------------------------- fabrics, VLANs, subnets

export const topoHandlers = {
  fabrics(st: SimState): SimResponse {
    return jsonRes(st.fabrics.map((f) => renderFabric(st, f.id)));
  },
  fabric(st: SimState, id: string): SimResponse {
    const f = st.fabrics.find((x) => String(x.id) === id || x.name === id);
    if (!f) throw notFound("Fabric");
    return jsonRes(renderFabric(st, f.id));
  },
  createFabric(st: SimState, p: Params): SimResponse {
    const id = st.fabrics.length ? Math.max(...st.fabrics.map((f) => f.id)) + 1 : 0;
    const f = { id, name: p.get("name") || `fabric-${id}`, classType: p.get("class_type") ?? null };
    st.fabrics.push(f);
    st.vlans.push({ id: 5001 + st.vlans.length, vid: 0, name: "untagged", fabricId: id, mtu: 1500, dhcpOn: false });
    return jsonRes(renderFabric(st, id));
  },
  fabricVlans(st: SimState, fid: string): SimResponse {
    const f = st.fabrics.find((x) => String(x.id) === fid);
    if (!f) throw notFound("Fabric");
    return jsonRes(st.vlans.filter((v) => v.fabricId === f.id).map((v) => renderVlan(st, v)));
  },
  fabricVlan(st: SimState, fid: string, vid: string): SimResponse {
    const v = st.vlans.find((x) => String(x.fabricId) === fid && String(x.vid) === vid);
    if (!v) throw notFound("VLAN");
    return jsonRes(renderVlan(st, v));
  },
  createVlan(st: SimState, fid: string, p: Params): SimResponse {
    const f = st.fabrics.find((x) => String(x.id) === fid);
    if (!f) throw notFound("Fabric");
    const vidS = p.get("vid");
    if (!vidS) throw fieldErrors({ vid: ["This field is required."] });
    const vid = Number(vidS);
    if (!Number.isInteger(vid) || vid < 0 || vid > 4094) throw fieldErrors({ vid: ["VID must be between 0 and 4094."] });
    if (st.vlans.some((v) => v.fabricId === f.id && v.vid === vid)) throw fieldErrors({ __all__: ["VLAN with this Fabric and Vid already exists."] });
    const v = { id: 5001 + st.vlans.length, vid, name: p.get("name") || String(vid), fabricId: f.id, mtu: Number(p.get("mtu") || 1500), dhcpOn: false };
    st.vlans.push(v);
    return jsonRes(renderVlan(st, v));
  },
  vlan(st: SimState, id: string): SimResponse {
    const v = st.vlans.find((x) => String(x.id) === id);
    if (!v) throw notFound("VLAN");
    return jsonRes(renderVlan(st, v));
  },
  subnets(st: SimState): SimResponse {
    return jsonRes(st.subnets.map((s) => renderSubnet(st, s)));
  },
  subnet(st: SimState, id: string): SimResponse {
    const s = findSubnet(st, decodeURIComponent(id));
    if (!s) throw notFound("Subnet");
    return jsonRes(renderSubnet(st, s));
  },
  createSubnet(st: SimState, p: Params): SimResponse {
    const cidr = p.get("cidr");
    if (!cidr) throw fieldErrors({ cidr: ["This field is required."] });
    if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(cidr)) throw fieldErrors({ cidr: ["Required format: <network>/<prefixlen>."] });
    if (st.subnets.some((s) => s.cidr === cidr)) throw fieldErrors({ cidr: ["Subnet with this Cidr already exists."] });
    let vlanId: number;
    if (p.get("vlan")) {
      const v = st.vlans.find((x) => String(x.id) === p.get("vlan"));
      if (!v) throw fieldErrors({ vlan: ["Select a valid choice. That choice is not one of the available choices."] });
      vlanId = v.id;
    } else if (p.get("fabric")) {
      const f = st.fabrics.find((x) => String(x.id) === p.get("fabric") || x.name === p.get("fabric"));
      if (!f) throw fieldErrors({ fabric: ["Select a valid choice. That choice is not one of the available choices."] });
      const vid = Number(p.get("vid") ?? 0);
      const v = st.vlans.find((x) => x.fabricId === f.id && x.vid === vid);
      if (!v) throw fieldErrors({ vid: ["No VLAN with vid " + vid + " in fabric " + f.name + "."] });
      vlanId = v.id;
    } else vlanId = st.untaggedVlan(0).id;
    const s: Subnet = { id: st.subnets.length ? Math.max(...st.subnets.map((x) => x.id)) + 1 : 1, name: p.get("name") || cidr, cidr, gateway: p.get("gateway_ip") || null, vlanId, dnsServers: [], managed: true };
    st.subnets.push(s);
    return jsonRes(renderSubnet(st, s));
  },
};
