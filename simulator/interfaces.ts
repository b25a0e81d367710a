// Interfaces of a machine (api/interfaces.py): physical, bond, VLAN and bridge interfaces and their links.
import type { Link, Subnet } from "./model";
import { S } from "./model";
import type { SimResponse } from "./http";
import { jsonRes, noContent } from "./http";
import { badRequest, djangoBool, fieldErrors, ipInCidr, normMac, stringBool } from "./util";
import { renderIface } from "./render";
import { findSubnet } from "./topology";
import {
  applyUpdate, bondParams, bridgeParams, clearLinks, getIface, inUse, mtuParam, newIface, parentsParam, requireEditState, tagsParam, uniqueName, vlanParam, withMtu, type NetCtx,
} from "./interface-params";

export const interfaceHandlers = {
  list(c: NetCtx): SimResponse {
    return jsonRes(c.m.interfaces.map((i) => renderIface(c.st, c.m, i)));
  },
  read(c: NetCtx, id: string): SimResponse {
    return jsonRes(renderIface(c.st, c.m, getIface(c.m, id)));
  },
  createPhysical(c: NetCtx): SimResponse {
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
    requireEditState(c.m, "update");
    applyUpdate(c, i, null);
    return jsonRes(renderIface(c.st, c.m, i));
  },
  delete(c: NetCtx, id: string): SimResponse {
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
    return noContent();
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
