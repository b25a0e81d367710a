// The machine form fields MAAS validates: hostname, architecture, power type and parameters, series.
import type { Machine } from "./model";
import type { SimState } from "./state";
import type { Params } from "./http";
import { badRequest, fieldErrors } from "./util";

// the boot resources the simulator has imported (series → version)
export const SERIES: Record<string, string> = { jammy: "22.04", focal: "20.04", noble: "24.04" };
export const ARCHES = ["amd64/generic", "amd64/ga-20.04", "amd64/ga-22.04", "amd64/ga-24.04", "amd64/hwe-20.04", "amd64/hwe-22.04", "amd64/hwe-24.04"];
// provisioningserver/drivers/power/registry.py
export const POWER_TYPES = ["manual", "ipmi", "virsh", "redfish", "lxd", "amt", "apc", "dli", "eaton", "hmc", "hmcz", "mscm", "msftocs", "moonshot", "openbmc", "proxmox", "recs_box", "sm15k", "ucsm", "vmware", "webhook", "wedge"];

/** `power_parameters` (a JSON object string) and `power_parameters_<name>` fields over the existing ones. */
export function parsePowerParams(p: Params, existing: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = { ...existing };
  const js = p.get("power_parameters");
  if (js !== undefined && js !== "") {
    let o: unknown;
    try {
      o = JSON.parse(js);
    } catch {
      throw badRequest("Failed to parse JSON power_parameters");
    }
    if (typeof o !== "object" || o === null) throw badRequest("Failed to parse JSON power_parameters");
    for (const [k, v] of Object.entries(o as Record<string, unknown>)) out[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  for (const k of p.keys()) {
    if (k.startsWith("power_parameters_") && k !== "power_parameters_skip_check") out[k.slice("power_parameters_".length)] = p.get(k)!;
  }
  return out;
}

export function validatePowerType(pt: string): string | null {
  return pt && !POWER_TYPES.includes(pt) ? `Select a valid choice. ${pt} is not one of the available choices.` : null;
}

export function validateHostname(st: SimState, h: string, self?: Machine): void {
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(h)) throw fieldErrors({ hostname: [`Invalid hostname: Label cannot start or end with hyphen and may only contain letters, digits and hyphens.`] });
  if (st.machines.some((m) => m !== self && m.hostname === h)) throw fieldErrors({ hostname: [`Node with this Hostname already exists.`] });
}

/** A hostname MAAS would make up (two words), unused so far. */
export function generateHostname(st: SimState): string {
  const words = ["able", "brave", "calm", "eager", "fair", "gentle", "happy", "jolly", "kind", "lively", "proud", "quick"];
  const nouns = ["ant", "bee", "cat", "deer", "eel", "fox", "gnu", "hare", "ibis", "jay", "kiwi", "lark"];
  let hostname: string;
  do hostname = `${words[Math.floor(st.r() * words.length)]}-${nouns[Math.floor(st.r() * nouns.length)]}`;
  while (st.machines.some((m) => m.hostname === hostname));
  return hostname;
}

/** `architecture` (+ `subarchitecture`) as `arch/subarch`, or null when not given. */
export function validateArch(p: Params): string | null {
  let arch = p.get("architecture");
  const sub = p.get("subarchitecture");
  if (arch === undefined || arch === "") return null;
  if (arch.includes("/hwe-") || arch.includes("/ga-")) throw badRequest("hwe kernel must be specified using the min_hwe_kernel argument.");
  if (!arch.includes("/")) arch = `${arch}/${sub || "generic"}`;
  else if (sub) throw badRequest("Subarchitecture cannot be specified twice.");
  if (!ARCHES.includes(arch)) throw fieldErrors({ architecture: [`'${arch}' is not a valid architecture.  It should be one of: ${ARCHES.map((a) => `'${a}'`).join(", ")}.`] });
  return arch;
}

/** `jammy`, `ubuntu/jammy`, `22.04`, `ubuntu/22.04` → `jammy`; empty → the default series; unknown → null. */
export function resolveSeries(v: string | undefined): string | null {
  if (v === undefined || v === "") return "jammy";
  let s = v.trim();
  if (s.startsWith("ubuntu/")) s = s.slice(7);
  if (SERIES[s]) return s;
  for (const [k, ver] of Object.entries(SERIES)) if (ver === s) return k;
  return null;
}
