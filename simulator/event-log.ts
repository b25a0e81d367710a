// MAAS's event log of the machines (models/event.py): what the lifecycle and the users' requests record,
// with the type descriptions and levels of maascommon/events.py (maas-api.md §8). A machine's
// status_message is its newest event of level INFO or above.
import type { Machine } from "./model";
import type { Ctx, SimState } from "./state";

// logging levels; AUDIT is MAAS's own level 0
export const LEVELS = { AUDIT: 0, DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40, CRITICAL: 50 } as const;
export type LevelName = keyof typeof LEVELS;
const { DEBUG, INFO, WARNING, ERROR } = LEVELS;

// maascommon/events.py EVENT_DETAILS_MAP (the ones the simulator records)
export const EVENT_TYPES = {
  COMMISSIONING: { description: "Commissioning", level: INFO },
  FAILED_COMMISSIONING: { description: "Failed commissioning", level: INFO },
  TESTING: { description: "Testing", level: INFO },
  FAILED_TESTING: { description: "Failed testing", level: INFO },
  READY: { description: "Ready", level: INFO },
  DEPLOYING: { description: "Deploying", level: INFO },
  DEPLOYED: { description: "Deployed", level: INFO },
  IMAGE_DEPLOYED: { description: "Image Deployed", level: INFO },
  RELEASING: { description: "Releasing", level: INFO },
  RELEASED: { description: "Released", level: INFO },
  NODE_DISKS_ERASED: { description: "Disks erased", level: INFO },
  SCRIPT_DID_NOT_COMPLETE: { description: "Script", level: INFO },
  ABORTED_COMMISSIONING: { description: "Aborted commissioning", level: INFO },
  ABORTED_DEPLOYMENT: { description: "Aborted deployment", level: INFO },
  ABORTED_TESTING: { description: "Aborted testing", level: INFO },
  ABORTED_DISK_ERASING: { description: "Aborted disk erasing", level: INFO },
  NODE_POWER_QUERY_FAILED: { description: "Failed to query node's BMC", level: WARNING },
  REQUEST_NODE_MARK_FAILED_SYSTEM: { description: "Marking node failed", level: ERROR },
  REQUEST_NODE_START_COMMISSIONING: { description: "User starting node commissioning", level: DEBUG },
  REQUEST_NODE_ABORT_COMMISSIONING: { description: "User aborting node commissioning", level: DEBUG },
  REQUEST_NODE_START_TESTING: { description: "User starting node testing", level: DEBUG },
  REQUEST_NODE_ABORT_TESTING: { description: "User aborting node testing", level: DEBUG },
  REQUEST_NODE_OVERRIDE_FAILED_TESTING: { description: "User overrode 'Failed testing' status", level: DEBUG },
  REQUEST_NODE_ABORT_DEPLOYMENT: { description: "User aborting deployment", level: DEBUG },
  REQUEST_NODE_ACQUIRE: { description: "User acquiring node", level: DEBUG },
  REQUEST_NODE_ERASE_DISK: { description: "User erasing disk", level: DEBUG },
  REQUEST_NODE_ABORT_ERASE_DISK: { description: "User aborting disk erase", level: DEBUG },
  REQUEST_NODE_RELEASE: { description: "User releasing node", level: DEBUG },
  REQUEST_NODE_MARK_BROKEN: { description: "User marking node broken", level: DEBUG },
  REQUEST_NODE_MARK_FIXED: { description: "User marking node fixed", level: DEBUG },
  REQUEST_NODE_LOCK: { description: "User locking node", level: DEBUG },
  REQUEST_NODE_UNLOCK: { description: "User unlocking node", level: DEBUG },
  REQUEST_NODE_START_DEPLOYMENT: { description: "User starting deployment", level: DEBUG },
  REQUEST_NODE_START: { description: "User powering up node", level: DEBUG },
  REQUEST_NODE_STOP: { description: "User powering down node", level: DEBUG },
} as const;
export type EventType = keyof typeof EVENT_TYPES;

export interface NodeEvent {
  id: number;
  type: EventType;
  description: string;
  action: string;
  /** "" when no user caused it */
  username: string;
  systemId: string;
  hostname: string;
  /** wall-clock milliseconds */
  created: number;
}

// the log keeps the newest events of a long run
const MAX_EVENTS = 200_000;

export function recordEvent(st: SimState, m: Machine, type: EventType, o: { description?: string; username?: string; action?: string } = {}): void {
  const e: NodeEvent = {
    id: st.nextId("event"),
    type,
    description: o.description ?? "",
    action: o.action ?? "",
    username: o.username ?? "",
    systemId: m.systemId,
    hostname: m.hostname,
    created: Date.now(),
  };
  st.eventLog.push(e);
  if (st.eventLog.length > MAX_EVENTS) st.eventLog.splice(0, st.eventLog.length - MAX_EVENTS);
  const t = EVENT_TYPES[type];
  if (t.level >= INFO) m.statusMessage = e.description ? `${t.description} - ${e.description}` : t.description;
}

/**
 * A user's request (models/node.py _register_request_event): described "(user)" or "(user) - comment",
 * the comment being the request's `comment` parameter unless one is given.
 */
export function recordRequest(st: SimState, m: Machine, ctx: Ctx | null, type: EventType, action: string, comment?: string): void {
  const user = ctx?.user?.username;
  let description = comment ?? ctx?.comment ?? "";
  if (user) description = description ? `(${user}) - ${description}` : `(${user})`;
  recordEvent(st, m, type, { description, action, ...(user ? { username: user } : {}) });
}
