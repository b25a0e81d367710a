// Waits and the release, shared by the machine (a re-commission of a deployed machine releases it
// first) and the deployment (destroy, redeploy, a failed deployment's retry).
import { Machine, StatusName } from "../maas";
import { client } from "./config";
import { reportProgress, stateChanges } from "./progress";

export interface ReleaseOptions {
    erase: boolean;
    secureErase: boolean;
    quickErase: boolean;
    timeoutS: number;
    wait: boolean;
}

const RELEASE_FAILURES: StatusName[] = ["Failed disk erasing", "Releasing failed"];

/** Waits (through the fleet-wide watcher) until the machine reaches a target state, reporting each state change. */
export async function waitForStatus(inputs: { hostname: string; systemId: string }, machine: Machine, target: StatusName[], failure: StatusName[], timeoutS: number, operation: string): Promise<Machine> {
    reportProgress({ host: inputs.hostname, systemId: machine.system_id, state: machine.status_name, elapsedS: 0, timeoutS, message: `waiting for ${target.join(" or ")}`, step: true });
    return client()
        .watcher.waitFor({
            systemId: machine.system_id,
            hostname: inputs.hostname,
            target,
            failure,
            timeoutMs: timeoutS * 1000,
            operation,
            onChange: stateChanges(inputs.hostname, machine.status_name, timeoutS),
        })
        .catch(async (e: unknown) => Promise.reject(await client().withFailureEvent(e)));
}

/** Releases the machine (unless it is Ready, or already releasing) and waits for Ready when asked. */
export async function releaseMachine(p: { hostname: string; systemId: string; release: ReleaseOptions }, machine: Machine): Promise<Machine> {
    const maas = client();
    if (machine.status_name === "Ready") return machine;
    if (!["Disk erasing", "Releasing"].includes(machine.status_name)) {
        machine = await maas.release(p.systemId, {
            erase: p.release.erase || p.release.secureErase || p.release.quickErase,
            secureErase: p.release.secureErase,
            quickErase: p.release.quickErase,
            comment: "released by maas-automation",
        });
        reportProgress({ host: p.hostname, systemId: p.systemId, state: machine.status_name, elapsedS: 0, timeoutS: p.release.timeoutS, message: p.release.erase ? "release with disk erase started" : "release started" });
    }
    if (!p.release.wait || machine.status_name === "Ready") return machine;
    return waitForStatus(p, machine, ["Ready"], RELEASE_FAILURES, p.release.timeoutS, "release");
}
