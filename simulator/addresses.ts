// AUTO link addresses: given out when a deployment starts, taken back when the machine is released.
import type { Machine, Subnet } from "./model";
import type { SimState } from "./state";

/** Gives every AUTO link without an address one from its subnet; returns the first subnet that had none left. */
export function assignAutoIps(st: SimState, m: Machine): Subnet | null {
  for (const i of m.interfaces)
    for (const l of i.links)
      if (l.mode === "auto" && !l.ip && l.subnetId !== null) {
        const sn = st.subnets.find((s) => s.id === l.subnetId);
        if (!sn) continue;
        l.ip = st.allocateIp(sn);
        if (!l.ip) return sn;
      }
  return null;
}

export function releaseAutoIps(st: SimState, m: Machine): void {
  for (const i of m.interfaces)
    for (const l of i.links)
      if (l.mode === "auto" && l.ip) {
        st.releaseIp(l.subnetId, l.ip);
        l.ip = null;
      }
}
