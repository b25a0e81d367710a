/**
 * Which of a machine's recent events says why it failed. MAAS (3.0 to 3.7, maascommon/events.py and
 * models/node.py) records a failure's reason as the description of an event: "Marking node failed"
 * (ERROR, mark_failed's comment, e.g. a deployment timeout), "Script" (a commissioning or testing
 * script that did not complete), "Failed to query node's BMC" (WARNING, power), or a "Failed …" /
 * "Aborted …" status event. The newest such event with a description is the most relevant.
 */
import type { MaasEvent } from "./schemas";

const SERIOUS_LEVELS = new Set(["WARNING", "ERROR", "CRITICAL"]);
const FAILURE_TYPE = /fail|error|abort|script|timed? ?out|unable|broken/i;

function isFailureEvent(e: MaasEvent): boolean {
  if (!e.description || !e.description.trim()) return false;
  return SERIOUS_LEVELS.has((e.level ?? "").toUpperCase()) || FAILURE_TYPE.test(e.type);
}

/** "<type>: <description>", or undefined when no recent event gives a reason. Events come newest first. */
export function failureEventText(events: readonly MaasEvent[]): string | undefined {
  const newestFirst = [...events].sort((a, b) => b.id - a.id);
  const e = newestFirst.find(isFailureEvent);
  if (!e) return undefined;
  const d = e.description!.trim();
  return d.toLowerCase().startsWith(e.type.toLowerCase()) ? d : `${e.type}: ${d}`;
}
