// GET events/?op=query (api/events.py EventsHandler.query): the machines' events, newest first, filtered
// by machine, level, owner and id window, with MAAS's next_uri/prev_uri (maas-api.md §8).
import type { Machine } from "./model";
import type { Params, SimResponse } from "./http";
import { jsonRes } from "./http";
import { badRequest, normMac } from "./util";
import { API } from "./render";
import { EVENT_TYPES, LEVELS, type LevelName, type NodeEvent } from "./event-log";
import { visibleMachines, type MCtx } from "./machines";

const MAX_EVENT_LOG_COUNT = 1000;
const DEFAULT_EVENT_LOG_LIMIT = 100;
// the request parameters next_uri and prev_uri carry over (EventsHandler.all_params)
const CARRIED = new Set(["agent_name", "domain", "hostname", "id", "level", "limit", "mac_address", "op", "zone", "owner"]);
const LEVEL_NAME = Object.fromEntries(Object.entries(LEVELS).map(([k, v]) => [v, k])) as Record<number, LevelName>;

function intParam(p: Params, key: string): number | undefined {
  const v = p.get(key);
  if (v === undefined) return undefined;
  if (!/^\s*-?\d+\s*$/.test(v)) throw badRequest(`Invalid ${key}: Please enter an integer value`);
  return Number(v);
}

/** filtered_nodes_list_from_request: the visible machines matching id, mac_address, hostname, domain, zone, pool, agent_name. */
function eventMachines(c: MCtx): Set<string> {
  const p = c.p;
  const macs = p.getAll("mac_address");
  const bad = macs.filter((x) => normMac(x) === null);
  if (bad.length) throw badRequest(`Invalid MAC address(es): ${bad.join(", ")}`);
  const macSet = new Set(macs.map((x) => normMac(x)!));
  const has = (k: string, v: string) => p.getAll(k).length === 0 || p.getAll(k).includes(v);
  const single = (k: string, v: string) => p.get(k) === undefined || p.get(k) === v;
  const match = (m: Machine) =>
    has("id", m.systemId) &&
    (macSet.size === 0 || m.interfaces.some((i) => i.mac !== null && macSet.has(i.mac))) &&
    has("hostname", m.hostname) &&
    has("domain", "maas") &&
    single("zone", "default") &&
    single("pool", "default") &&
    single("agent_name", m.agentName);
  return new Set(visibleMachines(c).filter(match).map((m) => m.systemId));
}

function renderEvent(e: NodeEvent): object {
  const t = EVENT_TYPES[e.type];
  const d = new Date(e.created);
  const p2 = (n: number) => String(n).padStart(2, "0");
  const day = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"][d.getUTCDay()];
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()];
  return {
    username: e.username || "unknown",
    node: e.systemId,
    hostname: e.hostname || "unknown",
    id: e.id,
    level: LEVEL_NAME[t.level],
    // strftime "%a, %d %b. %Y %H:%M:%S"
    created: `${day}, ${p2(d.getUTCDate())} ${month}. ${d.getUTCFullYear()} ${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`,
    type: t.description,
    description: e.description,
  };
}

/** The request's carried parameters (in request order, urlencode with doseq) plus an id bound, if any. */
function pageUri(p: Params, bound?: { name: "after" | "before"; id: number }): string {
  const q = new URLSearchParams();
  for (const k of p.keys()) if (CARRIED.has(k)) for (const v of p.getAll(k)) q.append(k, v);
  if (bound) q.append(bound.name, String(bound.id));
  const qs = q.toString();
  return `${API}/events/${qs ? `?${qs}` : ""}`;
}

/** next_uri: newer than the newest returned; prev_uri: older than the oldest returned (or null: nothing older ever). */
function pageLinks(p: Params, events: NodeEvent[], after: number | undefined, before: number | undefined): { next_uri: string; prev_uri: string | null } {
  if (events.length) return { next_uri: pageUri(p, { name: "after", id: events[0]!.id }), prev_uri: pageUri(p, { name: "before", id: events[events.length - 1]!.id }) };
  return {
    next_uri: before === undefined ? pageUri(p) : pageUri(p, { name: "after", id: before - 1 }),
    prev_uri: after === undefined ? null : pageUri(p, { name: "before", id: after + 1 }),
  };
}

function levelFilter(level: string): (e: NodeEvent) => boolean {
  // the simulator records no AUDIT events (MAAS's audit log of settings and users)
  if (level === "AUDIT") return () => false;
  if (!(level in LEVELS)) throw badRequest(`Unrecognised log level: ${level}`);
  const min = LEVELS[level as LevelName];
  return (e) => EVENT_TYPES[e.type].level >= min;
}

export function queryEvents(c: MCtx): SimResponse {
  const p = c.p;
  const after = intParam(p, "after");
  const before = intParam(p, "before");
  const limitParam = intParam(p, "limit") ?? DEFAULT_EVENT_LOG_LIMIT;
  if (limitParam > MAX_EVENT_LOG_COUNT) throw badRequest(`Requested number of events ${limitParam} is greater than limit: ${MAX_EVENT_LOG_COUNT}`);
  const limit = Math.max(1, limitParam);
  const machines = eventMachines(c);
  const ofLevel = levelFilter(p.get("level") ?? "INFO");
  const owner = p.get("owner");
  if (after !== undefined && before !== undefined) throw badRequest("There is undetermined behaviour when both `after` and `before` are specified.");
  let events = c.st.eventLog.filter((e) => machines.has(e.systemId) && ofLevel(e) && (owner === undefined || e.username === owner));
  if (after !== undefined) events = events.filter((e) => e.id > after).slice(0, limit).reverse();
  else events = events.filter((e) => before === undefined || e.id < before).slice(-limit).reverse();
  return jsonRes({ count: events.length, events: events.map(renderEvent), ...pageLinks(p, events, after, before) });
}
