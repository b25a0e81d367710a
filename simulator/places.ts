// Physical zones (api/zones.py, models/zone.py) and resource pools (api/resourcepools.py,
// models/resourcepool.py): list, read, create, update, delete with MAAS's errors (maas-api.md §10.1, §10.2).
import type { Machine, Place } from "./model";
import { DEFAULT_POOL, DEFAULT_ZONE } from "./model";
import type { Params, SimResponse } from "./http";
import { jsonRes, noContent } from "./http";
import type { Ctx, SimState } from "./state";
import { badRequest, fieldErrors, notFound } from "./util";
import { renderPool, renderZone } from "./render";
import { requireAdmin, requireSuperuser } from "./permissions";

// fields.py MODEL_NAME_VALIDATOR
const NAME_RE = /^\w[ \w-]*$/;

interface PlaceKind {
  list: (st: SimState) => Place[];
  render: (p: Place) => object;
  /** the model's verbose name, as the unique-name error says it */
  verbose: string;
  model: string;
  defaultId: number;
  /** the ValidationError text for deleting the default one */
  defaultDelete: string;
  /** the machine's foreign key */
  of: (m: Machine) => number;
  /** what deleting does to its machines: move them, or refuse */
  onDelete: (st: SimState, p: Place) => void;
  /** the rights check for create, update and delete */
  requireWrite: (ctx: Ctx) => void;
}

export const ZONES: PlaceKind = {
  list: (st) => st.zones,
  render: renderZone,
  verbose: "Physical zone",
  model: "Zone",
  defaultId: DEFAULT_ZONE.id,
  defaultDelete: "This zone is the default zone, it cannot be deleted.",
  of: (m) => m.zoneId,
  onDelete: (st, z) => {
    for (const m of st.machines) if (m.zoneId === z.id) m.zoneId = DEFAULT_ZONE.id; // on_delete=SET_DEFAULT
  },
  requireWrite: requireAdmin, // @admin_method
};

export const POOLS: PlaceKind = {
  list: (st) => st.pools,
  render: renderPool,
  verbose: "Resource pool",
  model: "ResourcePool",
  defaultId: DEFAULT_POOL.id,
  defaultDelete: "This is the default pool, it cannot be deleted.",
  of: (m) => m.poolId,
  onDelete: (st, p) => {
    if (st.machines.some((m) => m.poolId === p.id)) throw badRequest("Pool has machines in it, it cannot be deleted.");
  },
  requireWrite: requireSuperuser, // ResourcePoolPermission create/edit/delete: PermissionDenied()
};

/** The next id of a sequence that never hands out one used before (a deleted one included). */
function newId(st: SimState, kind: PlaceKind): number {
  const floor = Math.max(kind.defaultId, ...kind.list(st).map((x) => x.id));
  let id = st.nextId(kind.model);
  while (id <= floor) id = st.nextId(kind.model);
  return id;
}

const sorted = (ps: Place[]) => [...ps].sort((a, b) => a.name.localeCompare(b.name));

/** A zone by name; a pool by id, `name:<name>` or name (get_object_by_specifiers_or_raise). */
export function findPlace(st: SimState, kind: PlaceKind, key: string): Place | undefined {
  const all = kind.list(st);
  if (kind === POOLS && /^\d+$/.test(key)) return all.find((p) => p.id === Number(key));
  const name = key.startsWith("name:") ? key.slice(5) : key;
  return all.find((p) => p.name === name);
}

function getPlace(st: SimState, kind: PlaceKind, key: string): Place {
  const p = findPlace(st, kind, key);
  if (!p) throw notFound(kind.model);
  return p;
}

/** ZoneForm / ResourcePoolForm: name (required on create, validated, unique), description. */
function placeForm(st: SimState, kind: PlaceKind, p: Params, current: Place | null): { name: string; description: string } {
  const name = p.has("name") ? p.get("name")!.trim() : (current?.name ?? "");
  if (!name) throw fieldErrors({ name: ["This field is required."] });
  if (!NAME_RE.test(name) || name.length > 256) throw fieldErrors({ name: ["Enter a valid value."] });
  if (kind.list(st).some((x) => x.name === name && x !== current)) throw fieldErrors({ name: [`${kind.verbose} with this Name already exists.`] });
  return { name, description: p.has("description") ? p.get("description")! : (current?.description ?? "") };
}

export interface PlaceCtx {
  st: SimState;
  ctx: Ctx;
  p: Params;
}

export const placeHandlers = {
  list: (c: PlaceCtx, kind: PlaceKind): SimResponse => jsonRes(sorted(kind.list(c.st)).map(kind.render)),
  read: (c: PlaceCtx, kind: PlaceKind, key: string): SimResponse => jsonRes(kind.render(getPlace(c.st, kind, key))),
  create(c: PlaceCtx, kind: PlaceKind): SimResponse {
    kind.requireWrite(c.ctx);
    const f = placeForm(c.st, kind, c.p, null);
    const all = kind.list(c.st);
    const place: Place = { id: newId(c.st, kind), ...f };
    all.push(place);
    return jsonRes(kind.render(place));
  },
  update(c: PlaceCtx, kind: PlaceKind, key: string): SimResponse {
    kind.requireWrite(c.ctx);
    const place = getPlace(c.st, kind, key);
    Object.assign(place, placeForm(c.st, kind, c.p, place));
    return jsonRes(kind.render(place));
  },
  delete(c: PlaceCtx, kind: PlaceKind, key: string): SimResponse {
    kind.requireWrite(c.ctx);
    const place = kind === ZONES ? findPlace(c.st, kind, key) : getPlace(c.st, kind, key);
    if (!place) return noContent(); // ModelOperationsHandler.delete: an unknown zone is not an error
    if (place.id === kind.defaultId) throw badRequest(kind.defaultDelete);
    kind.onDelete(c.st, place);
    const all = kind.list(c.st);
    all.splice(all.indexOf(place), 1);
    return noContent();
  },
};

/** AdminNodeForm's zone / pool fields: a name, or the form error Django's ModelChoiceField gives. */
export function placeFromForm(st: SimState, kind: PlaceKind, field: "zone" | "pool", value: string): Place {
  const place = kind.list(st).find((x) => x.name === value);
  if (!place) throw fieldErrors({ [field]: ["Select a valid choice. That choice is not one of the available choices."] });
  return place;
}

