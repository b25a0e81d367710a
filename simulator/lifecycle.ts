// The machine lifecycle: the transitions MAAS makes (node_status.py, models/node.py) and the background
// steps that end each long phase. A long phase is scheduled as data (m.pending = {step, due}); when its
// virtual time comes, runStep carries out the step by name, so a pending step survives a restart.
import type { Machine, PendingStep, StepName } from "./model";
import { S, STATUS_NAME } from "./model";
import type { Ctx, SimState } from "./state";
import { discoverHardware } from "./hardware";
import { assignAutoIps, releaseAutoIps } from "./addresses";

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

/** Enter a long phase; unless the machine hangs in it, its end is scheduled after a jittered duration. */
function enterPhase(st: SimState, m: Machine, status: S, ctx: Ctx | null, message: string, end: { step: StepName; phase: string; seconds: number }): void {
  st.setStatus(m, status, ctx, message);
  if (hangs(st, m, status)) return;
  st.schedule(m, st.jitter(m, end.phase, end.seconds), end.step);
}

export function startCommissioning(st: SimState, m: Machine, ctx: Ctx | null, skipNetworking = false, skipStorage = false): void {
  st.cancel(m);
  m.commissionOpts = { skipNetworking, skipStorage };
  m.commissioningStatus = 1;
  m.testingStatus = -1;
  m.powerState = "on";
  m.testingFrom = null;
  st.setStatus(m, S.COMMISSIONING, ctx, "Commissioning");
  st.emit("commission-accepted", m, ctx);
  if (hangs(st, m, S.COMMISSIONING)) return;
  st.schedule(m, st.jitter(m, "commissioning", DURATIONS.commissioning), "commissioned");
}

export function startTesting(st: SimState, m: Machine, ctx: Ctx | null, from: S): void {
  m.testingStatus = 1;
  m.testingFrom = from;
  m.powerState = "on";
  const seconds = from === S.COMMISSIONING ? DURATIONS.testing : DURATIONS.testOnly;
  enterPhase(st, m, S.TESTING, ctx, "Testing", { step: "tested", phase: "testing", seconds });
}

export function startDeploy(st: SimState, m: Machine, ctx: Ctx | null): void {
  assignAutoIps(st, m);
  m.powerState = "on";
  st.setStatus(m, S.DEPLOYING, ctx, "Deploying");
  st.emit("deploy-accepted", m, ctx);
  if (hangs(st, m, S.DEPLOYING)) return;
  st.schedule(m, st.jitter(m, "deploying", DURATIONS.deploying), "deployed");
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
  st.setStatus(m, S.READY, ctx, "Released");
}

/** Release: returns after committing the (possibly synchronous) state change. */
export function doRelease(st: SimState, m: Machine, ctx: Ctx | null, erase: boolean): void {
  st.cancel(m);
  if (erase) {
    m.powerState = "on";
    st.setStatus(m, S.DISK_ERASING, ctx, "Disk erasing");
    st.emit("release-accepted", m, ctx);
    if (hangs(st, m, S.DISK_ERASING)) return;
    st.schedule(m, st.jitter(m, "erasing", DURATIONS.diskErasing), "erased");
    return;
  }
  // MAAS cannot watch a manual (or already off) machine power down, so it finishes at once
  const unqueryable = m.powerType === "manual" || m.powerType === "" || m.powerState === "off";
  const f = st.faults.machine(m.hostname, m.systemId);
  st.setStatus(m, S.RELEASING, ctx, "Releasing");
  st.emit("release-accepted", m, ctx);
  if (unqueryable && !f.failRelease && !hangs(st, m, S.RELEASING)) {
    finishRelease(st, m, ctx);
    return;
  }
  if (hangs(st, m, S.RELEASING)) return;
  st.schedule(m, st.jitter(m, "releasing", DURATIONS.releasing), "released");
}

/** abort: Commissioning → New, Deploying → Allocated, Testing → where it came from, Disk erasing → Failed disk erasing. */
export function abortPhase(st: SimState, m: Machine, ctx: Ctx): boolean {
  const to: Partial<Record<S, [S, string]>> = {
    [S.COMMISSIONING]: [S.NEW, "Aborted commissioning"],
    [S.DEPLOYING]: [S.ALLOCATED, "Aborted deployment"],
    [S.TESTING]: [testingReturn(m.testingFrom ?? S.READY), "Aborted testing"],
    [S.DISK_ERASING]: [S.FAILED_DISK_ERASING, "Aborted disk erasing"],
  };
  const target = to[m.status];
  if (!target) return false;
  st.cancel(m);
  if (m.status === S.COMMISSIONING) m.commissioningStatus = 5;
  if (m.status === S.TESTING) m.testingStatus = 5;
  if (m.status === S.DEPLOYING) releaseAutoIps(st, m);
  m.powerState = "off";
  st.setStatus(m, target[0], ctx, target[1]);
  return true;
}

// ---------------------------------------------------------------- the background steps

function commissioned(st: SimState, m: Machine): void {
  if (st.faults.machine(m.hostname, m.systemId).failCommissioning) {
    m.commissioningStatus = 3;
    m.powerState = "off";
    m.errorDescription = "Commissioning failed (simulated)";
    st.setStatus(m, S.FAILED_COMMISSIONING, null, "Failed commissioning");
    return;
  }
  discoverHardware(st, m, { storage: !m.commissionOpts.skipStorage, network: !m.commissionOpts.skipNetworking });
  m.commissioningStatus = 2;
  startTesting(st, m, null, S.COMMISSIONING);
}

function tested(st: SimState, m: Machine): void {
  m.powerState = "off";
  if (st.faults.machine(m.hostname, m.systemId).failTesting) {
    m.testingStatus = 3;
    st.setStatus(m, S.FAILED_TESTING, null, "Failed testing");
    return;
  }
  m.testingStatus = 2;
  st.setStatus(m, testingReturn(m.testingFrom ?? S.READY), null, "Ready");
}

function deployed(st: SimState, m: Machine): void {
  if (st.faults.machine(m.hostname, m.systemId).failDeployment) {
    m.errorDescription = "Deployment failed (simulated)";
    st.setStatus(m, S.FAILED_DEPLOYMENT, null, "Failed deployment");
    return;
  }
  st.setStatus(m, S.DEPLOYED, null, "Deployed");
}

function erased(st: SimState, m: Machine): void {
  if (st.faults.machine(m.hostname, m.systemId).failRelease) {
    m.powerState = "off";
    st.setStatus(m, S.FAILED_DISK_ERASING, null, "Failed to erase disks");
    return;
  }
  finishRelease(st, m, null);
}

function released(st: SimState, m: Machine): void {
  if (st.faults.machine(m.hostname, m.systemId).failRelease) {
    st.setStatus(m, S.FAILED_RELEASING, null, "Releasing failed");
    return;
  }
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
