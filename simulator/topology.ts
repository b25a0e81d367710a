// Fabrics, VLANs and subnets (api/fabrics.py, api/vlans.py, api/subnets.py).
import type { Subnet } from "./model";
import type { SimState } from "./state";
import type { Params, SimResponse } from "./http";
import { jsonRes } from "./http";
import { fieldErrors, notFound } from "./util";
import { renderFabric, renderSubnet, renderVlan } from "./render";

export function findSubnet(st: SimState, spec: string): Subnet | undefined {
  const s = spec.trim();
  return st.subnets.find((x) => String(x.id) === s || x.cidr === s || x.name === s || `cidr:${x.cidr}` === s || `name:${x.name}` === s || `id:${x.id}` === s);
}

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
