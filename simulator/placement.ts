// Zone, pool and tag filters shared by GET machines/ (FilterNodeForm) and allocate (AcquireNodeForm):
// tags all present, not_tags none, zone/pool any of the given, not_in_zone/not_in_pool none, unknown
// names refused with MAAS's field errors (node_constraint_filter_forms.py; maas-api.md §10.4).
import type { Machine, Place } from "./model";
import type { Params } from "./http";
import type { SimState } from "./state";
import { fieldErrors } from "./util";

/** parse_legacy_tags: repeated values, each may hold several names separated by commas or spaces. */
function names(p: Params, key: string): string[] {
  return p.getAll(key).flatMap((v) => v.match(/[^\s,]+/g) ?? []);
}

function placeIds(all: Place[], given: string[], field: string, noun: string, errs: Record<string, string[]>): Set<number> | null {
  if (!given.length) return null;
  const missing = given.filter((n) => !all.some((x) => x.name === n)).sort();
  if (missing.length) errs[field] = [`No such ${noun}(s): ${missing.join(", ")}.`];
  return new Set(all.filter((x) => given.includes(x.name)).map((x) => x.id));
}

export function placementFilter(st: SimState, p: Params): (m: Machine) => boolean {
  const errs: Record<string, string[]> = {};
  const tags = names(p, "tags");
  const unknown = [...new Set(tags.filter((t) => !st.tags.some((x) => x.name === t)))];
  if (unknown.length) errs.tags = [`No such tag(s): ${unknown.map((t) => `'${t}'`).join(", ")}.`];
  const notTags = names(p, "not_tags");
  const zones = placeIds(st.zones, p.getAll("zone"), "zone", "zone", errs);
  const notZones = placeIds(st.zones, p.getAll("not_in_zone"), "not_in_zone", "zone", errs);
  const pools = placeIds(st.pools, p.getAll("pool"), "pool", "pool", errs);
  const notPools = placeIds(st.pools, p.getAll("not_in_pool"), "not_in_pool", "pool", errs);
  if (Object.keys(errs).length) throw fieldErrors(errs);
  return (m) =>
    tags.every((t) => m.tagNames.includes(t)) &&
    !notTags.some((t) => m.tagNames.includes(t)) &&
    (!zones || zones.has(m.zoneId)) &&
    !notZones?.has(m.zoneId) &&
    (!pools || pools.has(m.poolId)) &&
    !notPools?.has(m.poolId);
}
