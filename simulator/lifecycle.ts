// The machine lifecycle: the transitions MAAS makes (node_status.py, models/node.py) and the background
// steps that end each long phase. A long phase is scheduled as data (m.pending = {step, due}); when its
// virtual time comes, runStep carries out the step by name, so a pending step survives a restart.
import type { Machine, PendingStep, StepName } from "./model";
import { S, STATUS_NAME } from "./model";
import type { Ctx, SimState } from "./state";
import { discoverHardware } from "./hardware";
import { assignAutoIps, releaseAutoIps } from "./addresses";
import { recordEvent, recordRequest, type EventType } from "./event-log";
import { ApiError } from "./util";
import type { FailureFault } from "./faults";

// virtual durations in seconds
export const DURATIONS = { commissioning: 180, testing: 120, deploying: 900, diskErasing: 120, releasing: 20, testOnly: 60 };

// node.py RELEASABLE_STATUSES; node_action.py Commission and Test
export const RELEASABLE = new Set<number>([S.ALLOCATED, S.RESERVED, S.BROKEN, S.DEPLOYING, S.DEPLOYED, S.FAILED_DEPLOYMENT, S.FAILED_DISK_ERASING, S.FAILED_RELEASING]);
export const COMMISSIONABLE = new Set<number>([S.NEW, S.FAILED_COMMISSIONING, S.READY, S.BROKEN]);
export const TESTABLE = new Set<number>([
  S.FAILED_COMMISSIONING, S.NEW, S.READY, S.RESERVED, S.ALLOCATED, S.FAILED_DEPLOYMENT, S.DEPLOYED, S.MISSING, S.RETIRED, S.BROKEN,
  S.RESCUE_MODE, S.FAILED_RELEASING, S.FAILED_DISK_ERASING, S.FAILED_ENTERING_RESCUE_MODE, S.FAILED_EXITING_RESCUE_MODE, S.FAILED_TESTING,
]);
// where a passed test run leaves the machine: Ready from these, else back where it was
const TESTING_ENDS_READY = new Set<number>([
  S.NEW, S.COMMISSIONING, S.BROKEN, S.READY, S.FAILED_COMMISSIONING, S.FAILED_TESTING, S.FAILED_DEPLOYMENT, S.FAILED_RELEASING,
  S.FAILED_DISK_ERASING, S.MISSING, S.RETIRED, S.RESCUE_MODE, S.FAILED_ENTERING_RESCUE_MODE, S.FAILED_EXITING_RESCUE_MODE,
]);

export function testingReturn(from: S): S {
  return TESTING_ENDS_READY.has(from) ? S.READY : from;
}

function hangs(st: SimState, m: Machine, status: S): boolean {
  const f = st.faults.machine(m.hostname, m.systemId);
  return !!f.hang && f.hang.toLowerCase() === STATUS_NAME[status]!.toLowerCase();
}

/** The reason a failure fault gives: its text, or what MAAS itself would log. */
function failureText(fault: FailureFault | undefined, standard: string): string | null {
  if (!fault) return null;
  return typeof fault === "string" ? fault : standard;
}

/** Schedules the end of the machine's current phase after a jittered duration, unless it hangs there. */
function scheduleEnd(st: SimState, m: Machine, phase: string, seconds: number, step: StepName): void {
  if (hangs(st, m, m.status)) return;
  st.schedule(m, st.jitter(m, phase, seconds), step);
}

export function startCommissioning(st: SimState, m: Machine, ctx: Ctx | null, skipNetworking = false, skipStorage = false): void {
  st.cancel(m);
  m.commissionOpts = { skipNetworking, skipStorage };
  m.commissioningStatus = 1;
  m.testingStatus = -1;
  m.powerState = "on";
  m.testingFrom = null;
  recordRequest(st, m, ctx, "REQUEST_NODE_START_COMMISSIONING", "start commissioning");
  recordEvent(st, m, "COMMISSIONING");
  st.setStatus(m, S.COMMISSIONING, ctx);
  st.emit("commission-accepted", m, ctx);
  scheduleEnd(st, m, "commissioning", DURATIONS.commissioning, "commissioned");
}

/** Testing: after commissioning (no request of its own), or asked for with op=test. */
export function startTesting(st: SimState, m: Machine, ctx: Ctx | null, from: S): void {
  m.testingStatus = 1;
  m.testingFrom = from;
  m.powerState = "on";
  if (from !== S.COMMISSIONING) {
    recordRequest(st, m, ctx, "REQUEST_NODE_START_TESTING", "start testing");
    recordEvent(st, m, "TESTING");
  }
  st.setStatus(m, S.TESTING, ctx);
  scheduleEnd(st, m, "testing", from === S.COMMISSIONING ? DURATIONS.testing : DURATIONS.testOnly, "tested");
}

/** An allocation for the caller (op=allocate, or deploy of a Ready machine). */
export function acquire(st: SimState, m: Machine, ctx: Ctx, agentName: string | undefined): void {
  recordRequest(st, m, ctx, "REQUEST_NODE_ACQUIRE", "acquire");
  m.owner = ctx.user!.username;
  if (agentName !== undefined) m.agentName = agentName;
  st.setStatus(m, S.ALLOCATED, ctx);
}

/**
 * Deploying: the request is committed (Deploying), then the AUTO addresses are claimed. A subnet without
 * a free address puts the machine back in Allocated and answers MAAS's 503 (maas-api.md §9).
 */
export function startDeploy(st: SimState, m: Machine, ctx: Ctx | null): void {
  recordRequest(st, m, ctx, "REQUEST_NODE_START_DEPLOYMENT", "start");
  recordEvent(st, m, "DEPLOYING");
  st.setStatus(m, S.DEPLOYING, ctx);
  const exhausted = assignAutoIps(st, m);
  if (exhausted) {
    releaseAutoIps(st, m);
    const user = ctx?.user?.username ?? "None";
    const description = `(${user}) - Aborting DEPLOYING and reverting to ALLOCATED. Unable to power control the node. Please check power credentials.`;
    recordEvent(st, m, "NODE_POWER_QUERY_FAILED", { description });
    st.setStatus(m, S.ALLOCATED, ctx);
    throw new ApiError(503, `No more IPs available in subnet: ${exhausted.cidr}.`);
  }
  m.powerState = "on";
  st.emit("deploy-accepted", m, ctx);
  scheduleEnd(st, m, "deploying", DURATIONS.deploying, "deployed");
}

export function finishRelease(st: SimState, m: Machine, ctx: Ctx | null): void {
  releaseAutoIps(st, m);
  m.owner = null;
  m.ownerData = {};
  m.osystem = "";
  m.distroSeries = "";
  m.hweKernel = null;
  m.agentName = "";
  m.userData = null;
  m.locked = false;
  m.powerState = "off";
  recordEvent(st, m, "RELEASED");
  st.setStatus(m, S.READY, ctx);
}

/** Release: returns after committing the (possibly synchronous) state change. */
export function doRelease(st: SimState, m: Machine, ctx: Ctx | null, erase: boolean): void {
  st.cancel(m);
  if (erase) {
    m.powerState = "on";
    recordRequest(st, m, ctx, "REQUEST_NODE_ERASE_DISK", "start disk erasing");
    st.setStatus(m, S.DISK_ERASING, ctx);
    st.emit("release-accepted", m, ctx);
    scheduleEnd(st, m, "erasing", DURATIONS.diskErasing, "erased");
    return;
  }
  // MAAS cannot watch a manual (or already off) machine power down, so it finishes at once
  const unqueryable = m.powerType === "manual" || m.powerType === "" || m.powerState === "off";
  const f = st.faults.machine(m.hostname, m.systemId);
  recordRequest(st, m, ctx, "REQUEST_NODE_RELEASE", "release");
  recordEvent(st, m, "RELEASING");
  st.setStatus(m, S.RELEASING, ctx);
  st.emit("release-accepted", m, ctx);
  if (unqueryable && !f.failRelease && !hangs(st, m, S.RELEASING)) {
    finishRelease(st, m, ctx);
    return;
  }
  scheduleEnd(st, m, "releasing", DURATIONS.releasing, "released");
}

// abort (models/node.py abort_*): the status it returns to and the events it records
const ABORTS: Partial<Record<S, { request: EventType; action: string; event: EventType; to: (m: Machine) => S }>> = {
  [S.COMMISSIONING]: { request: "REQUEST_NODE_ABORT_COMMISSIONING", action: "abort commissioning", event: "ABORTED_COMMISSIONING", to: () => S.NEW },
  [S.DEPLOYING]: { request: "REQUEST_NODE_ABORT_DEPLOYMENT", action: "abort deploying", event: "ABORTED_DEPLOYMENT", to: () => S.ALLOCATED },
  [S.TESTING]: { request: "REQUEST_NODE_ABORT_TESTING", action: "abort testing", event: "ABORTED_TESTING", to: (m) => testingReturn(m.testingFrom ?? S.READY) },
  [S.DISK_ERASING]: { request: "REQUEST_NODE_ABORT_ERASE_DISK", action: "abort disk erasing", event: "ABORTED_DISK_ERASING", to: () => S.FAILED_DISK_ERASING },
};

/** abort: Commissioning → New, Deploying → Allocated, Testing → where it came from, Disk erasing → Failed disk erasing. */
export function abortPhase(st: SimState, m: Machine, ctx: Ctx): boolean {
  const a = ABORTS[m.status];
  if (!a) return false;
  st.cancel(m);
  if (m.status === S.COMMISSIONING) m.commissioningStatus = 5;
  if (m.status === S.TESTING) m.testingStatus = 5;
  if (m.status === S.DEPLOYING) releaseAutoIps(st, m);
  m.powerState = "off";
  recordRequest(st, m, ctx, a.request, a.action);
  recordEvent(st, m, a.event);
  st.setStatus(m, a.to(m), ctx);
  return true;
}

/** mark_failed by the region (models/node.py): the comment becomes error_description and an ERROR event. */
function markFailed(st: SimState, m: Machine, to: S, comment: string): void {
  recordEvent(st, m, "REQUEST_NODE_MARK_FAILED_SYSTEM", { description: comment, action: "mark_failed" });
  m.errorDescription = comment;
  st.setStatus(m, to, null);
}

// ---------------------------------------------------------------- the background steps

// the builtin scripts a simulated failure names (metadataserver/builtin_scripts)
const COMMISSIONING_SCRIPT = "20-maas-03-machine-resources";
const TESTING_SCRIPT = "smartctl-validate";

function commissioned(st: SimState, m: Machine): void {
  const failure = failureText(st.faults.machine(m.hostname, m.systemId).failCommissioning, `${COMMISSIONING_SCRIPT} failed`);
  if (failure) {
    m.commissioningStatus = 3;
    m.powerState = "off";
    recordEvent(st, m, "SCRIPT_DID_NOT_COMPLETE", { description: failure });
    recordEvent(st, m, "FAILED_COMMISSIONING");
    st.setStatus(m, S.FAILED_COMMISSIONING, null);
    return;
  }
  discoverHardware(st, m, { storage: !m.commissionOpts.skipStorage, network: !m.commissionOpts.skipNetworking });
  m.commissioningStatus = 2;
  startTesting(st, m, null, S.COMMISSIONING);
}

function tested(st: SimState, m: Machine): void {
  m.powerState = "off";
  const disk = m.blockDevices.find((b) => b.type === "physical")?.name;
  const failure = failureText(st.faults.machine(m.hostname, m.systemId).failTesting, `${TESTING_SCRIPT}${disk ? ` on ${disk}` : ""} failed`);
  if (failure) {
    m.testingStatus = 3;
    recordEvent(st, m, "SCRIPT_DID_NOT_COMPLETE", { description: failure });
    recordEvent(st, m, "FAILED_TESTING");
    st.setStatus(m, S.FAILED_TESTING, null);
    return;
  }
  m.testingStatus = 2;
  const to = testingReturn(m.testingFrom ?? S.READY);
  if (to === S.READY) recordEvent(st, m, "READY");
  st.setStatus(m, to, null);
}

function deployed(st: SimState, m: Machine): void {
  const failure = failureText(st.faults.machine(m.hostname, m.systemId).failDeployment, "Installation failed (refer to the installation log for more information).");
  if (failure) return markFailed(st, m, S.FAILED_DEPLOYMENT, failure);
  recordEvent(st, m, "IMAGE_DEPLOYED", { description: `deployed ${m.osystem}/${m.distroSeries}/${m.architecture}` });
  recordEvent(st, m, "DEPLOYED");
  st.setStatus(m, S.DEPLOYED, null);
}

function erased(st: SimState, m: Machine): void {
  const failure = failureText(st.faults.machine(m.hostname, m.systemId).failRelease, "Failed to erase disks.");
  if (failure) {
    m.powerState = "off";
    return markFailed(st, m, S.FAILED_DISK_ERASING, failure);
  }
  recordEvent(st, m, "NODE_DISKS_ERASED");
  finishRelease(st, m, null);
}

function released(st: SimState, m: Machine): void {
  const failure = failureText(st.faults.machine(m.hostname, m.systemId).failRelease, "Failed to release machine.");
  if (failure) return markFailed(st, m, S.FAILED_RELEASING, failure);
  finishRelease(st, m, null);
}

const STEPS: Record<StepName, (st: SimState, m: Machine) => void> = { commissioned, tested, deployed, erased, released };

/** Carries out a due background step (SimState calls this when a pending step's time comes). */
export function runStep(st: SimState, m: Machine, step: StepName): void {
  STEPS[step](st, m);
}

// the step that ends each busy state, and the length of that phase
const PHASE_END: Partial<Record<S, (m: Machine) => { step: StepName; seconds: number }>> = {
  [S.COMMISSIONING]: () => ({ step: "commissioned", seconds: DURATIONS.commissioning }),
  [S.TESTING]: (m) => ({ step: "tested", seconds: m.testingFrom === S.COMMISSIONING ? DURATIONS.testing : DURATIONS.testOnly }),
  [S.DEPLOYING]: () => ({ step: "deployed", seconds: DURATIONS.deploying }),
  [S.DISK_ERASING]: () => ({ step: "erased", seconds: DURATIONS.diskErasing }),
  [S.RELEASING]: () => ({ step: "released", seconds: DURATIONS.releasing }),
};

/** The pending step of a machine whose busy phase restarts at virtual time `now` (a state file without one). */
export function interruptedStep(m: Machine, now: number): PendingStep | null {
  const end = PHASE_END[m.status]?.(m);
  return end ? { step: end.step, due: now + end.seconds } : null;
}
