// AUTO link addresses: given out when a deployment starts, taken back when the machine is released.
import type { Machine } from "./model";
import type { SimState } from "./state";

export function assignAutoIps(st: SimState, m: Machine): void {
  for (const i of m.interfaces)
    for (const l of i.links)
      if (l.mode === "auto" && !l.ip && l.subnetId !== null) {
        const sn = st.subnets.find((s) => s.id === l.subnetId);
        if (sn) l.ip = st.allocateIp(sn);
      }
}

export function releaseAutoIps(st: SimState, m: Machine): void {
  for (const i of m.interfaces)
    for (const l of i.links)
      if (l.mode === "auto" && l.ip) {
        st.releaseIp(l.subnetId, l.ip);
        l.ip = null;
      }
}
