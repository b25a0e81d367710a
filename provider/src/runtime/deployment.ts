// MaasDeployment inside the provider process: deploy a Ready machine (MAAS allocates it itself) and
// wait for Deployed; delete releases it with the release options (disk erase by default) and waits
// for Ready. A deployment that fails after MAAS took the machine is kept as partial state, so destroy
// can still release it and the next `up` resumes instead of deploying twice. Each deployment is
// deployed under an agent name of its own (its marker); a release first checks that MAAS still holds
// the machine under that name, so a deployment never releases a machine someone else took, nor a
// newer deployment of its own that a killed run did not record.
import { FailureStateError, Machine, StatusName } from "../maas";
import { client, hasMaas, isRemoval, machineOrGone, noteDeclared, recentMachine } from "./config";
import { CheckFailure, UNKNOWN, containsUnknown, errorMessage, partialState, revisionOf } from "./common";
import { HOLDING_STATES, judge } from "./policy";
import { reportProgress } from "./progress";
import { releaseMachine, waitForStatus } from "./lifecycle";

export type { ReleaseOptions } from "./lifecycle";
import type { ReleaseOptions } from "./lifecycle";

/** What earlier releases passed per resource; the policy is the stack config's now (runtime/policy.ts). */
export type RedeployPolicy = "preview" | "allow" | "refuse";

export interface DeploymentInputs {
    systemId: string;
    hostname: string;
    distroSeries: string | null;
    hweKernel: string | null;
    userData: string | null;
    deployTimeoutS: number;
    waitDeployment: boolean;
    release: ReleaseOptions;
    /** Written as MAAS's agent_name, so a crashed run recognises its own deployment. */
    owner: string;
    /** Revisions of the configuration applied before deploying (storage layout, network). */
    revisions: Record<string, string>;
    /** Changing it re-provisions: release with erase, then deploy again. */
    reprovision: string;
}

export interface DeploymentOuts extends DeploymentInputs {
    /** false when the deployment did not finish, or `read` found the machine released. */
    deployed: boolean;
    ipAddresses: string[];
    /** The agent name MAAS holds the machine under; absent in deployments made before markers (their agent name is the owner). */
    marker?: string;
}

/** The agent name of this deployment: the owner and what makes it this deployment and not another. */
export function deploymentMarker(inputs: DeploymentInputs): string {
    const { distroSeries, hweKernel, userData, revisions, reprovision } = inputs;
    return `${inputs.owner}#${revisionOf({ distroSeries, hweKernel, userData, revisions, reprovision })}`;
}

/** Inputs MAAS cannot change on a deployed machine: a change means release, erase, redeploy. */
const REDEPLOY_FIELDS = ["systemId", "distroSeries", "hweKernel", "userData", "revisions"] as const;

function changedRedeployFields(olds: Partial<DeploymentInputs>, news: DeploymentInputs): string[] {
    return REDEPLOY_FIELDS.filter((f) => {
        // A machine being updated (renamed, new power settings) keeps its system_id, but preview sees
        // it as unknown: that alone is no reason to redeploy.
        if (f === "systemId" && news.systemId === UNKNOWN) return false;
        return containsUnknown(news[f]) || JSON.stringify(olds[f] ?? null) !== JSON.stringify(news[f] ?? null);
    });
}

function who(p: { hostname: string; systemId?: string }): string {
    return p.systemId && p.systemId !== UNKNOWN ? `${p.hostname} (${p.systemId})` : p.hostname;
}

export async function check(olds: Partial<DeploymentInputs>, news: Record<string, unknown>): Promise<{ inputs: DeploymentInputs; failures: CheckFailure[] }> {
    const raw = news as Partial<DeploymentInputs>;
    const release = raw.release ?? ({} as Partial<ReleaseOptions>);
    const inputs: DeploymentInputs = {
        systemId: String(raw.systemId ?? ""),
        hostname: String(raw.hostname ?? ""),
        distroSeries: raw.distroSeries ?? null,
        hweKernel: raw.hweKernel ?? null,
        userData: raw.userData ?? null,
        deployTimeoutS: typeof raw.deployTimeoutS === "number" ? raw.deployTimeoutS : 1800,
        waitDeployment: raw.waitDeployment !== false,
        release: {
            erase: release.erase !== false,
            secureErase: release.secureErase === true,
            quickErase: release.quickErase === true,
            timeoutS: typeof release.timeoutS === "number" ? release.timeoutS : 1800,
            wait: release.wait !== false,
        },
        owner: String(raw.owner ?? ""),
        revisions: raw.revisions ?? {},
        reprovision: typeof raw.reprovision === "string" ? raw.reprovision : "",
    };
    noteDeclared(inputs.owner);
    const failures = olds?.systemId ? await redeployRefusals(olds, inputs) : [];
    return { inputs, failures };
}

/** The policy's refusal of a change that replaces this deployment, judged from the machine's status now. */
async function redeployRefusals(olds: Partial<DeploymentInputs>, inputs: DeploymentInputs): Promise<CheckFailure[]> {
    const changed = changedRedeployFields(olds, inputs).filter((f) => f !== "systemId");
    if ((olds.reprovision ?? "") !== inputs.reprovision) changed.push("reprovision");
    if (changed.length === 0 || containsUnknown(inputs.systemId) || !hasMaas()) return [];
    let status: string;
    try {
        status = (await recentMachine(inputs.systemId, "read machine before redeploying it")).status_name;
    } catch (e) {
        return [{ property: changed[0]!, reason: errorMessage(e) }];
    }
    const because = changed.includes("reprovision") ? "the reprovision token changed" : `changing ${changed.join(", ")}`;
    const refusal = judge("redeploy", { hostname: inputs.hostname, systemId: inputs.systemId, status }, because);
    return refusal ? [{ property: changed[0]!, reason: refusal }] : [];
}

export async function diff(_id: string, olds: DeploymentOuts, news: DeploymentInputs): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
    const replaces: string[] = changedRedeployFields(olds, news);
    if ((olds.reprovision ?? "") !== news.reprovision) replaces.push("reprovision");
    const changes =
        replaces.length > 0 ||
        news.systemId === UNKNOWN ||
        !olds.deployed ||
        olds.deployTimeoutS !== news.deployTimeoutS ||
        olds.waitDeployment !== news.waitDeployment ||
        olds.owner !== news.owner ||
        JSON.stringify(olds.release) !== JSON.stringify(news.release);
    // The same physical machine: the old deployment must be released before the new one is made.
    return { changes, replaces, deleteBeforeReplace: true };
}

const DEPLOY_FAILURES: StatusName[] = ["Failed deployment"];


async function startDeploy(inputs: DeploymentInputs): Promise<Machine> {
    return client().deploy(inputs.systemId, {
        ...(inputs.distroSeries ? { distroSeries: inputs.distroSeries } : {}),
        ...(inputs.hweKernel ? { hweKernel: inputs.hweKernel } : {}),
        ...(inputs.userData ? { userData: inputs.userData } : {}),
        agentName: deploymentMarker(inputs),
    });
}

/** Takes the machine from whatever state it is in to Deployed, never deploying twice. */
async function deployToCompletion(inputs: DeploymentInputs): Promise<Machine> {
    const maas = client();
    let machine = await maas.getMachine(inputs.systemId);
    const status = machine.status_name as StatusName;
    if (status === "Failed deployment") {
        // Our previous attempt failed: give the machine back (with the release options), then deploy again.
        machine = await releaseMachine(inputs, machine);
    }
    if (machine.status_name === "Deploying" || machine.status_name === "Deployed") {
        if (!(await heldBy(inputs, deploymentMarker(inputs)))) {
            throw new Error(`deploy ${who(inputs)}: the machine is ${machine.status_name}, but not under this deployment's agent name: someone else deployed it; release it in MAAS, or take this machine out of the file`);
        }
        reportProgress({ host: inputs.hostname, systemId: inputs.systemId, state: machine.status_name, elapsedS: 0, timeoutS: inputs.deployTimeoutS, message: "deployment already under way: resuming the wait" });
    } else if (machine.status_name === "Ready" || machine.status_name === "Allocated") {
        machine = await startDeploy(inputs);
        reportProgress({ host: inputs.hostname, systemId: inputs.systemId, state: machine.status_name, elapsedS: 0, timeoutS: inputs.deployTimeoutS, message: "deployment started" });
    } else {
        throw new Error(`deploy ${who(inputs)}: the machine is ${machine.status_name}; MAAS deploys only Ready or Allocated machines`);
    }
    if (!inputs.waitDeployment) return machine;
    if (machine.status_name !== "Deployed") {
        // The watcher's answer is the machine as MAAS lists it, IP addresses included.
        machine = await waitForStatus(inputs, machine, ["Deployed"], DEPLOY_FAILURES, inputs.deployTimeoutS, "deploy");
    }
    return machine;
}

function outsFor(inputs: DeploymentInputs, machine: Machine, deployed: boolean): DeploymentOuts {
    return { ...inputs, deployed, ipAddresses: [...machine.ip_addresses].sort(), marker: deploymentMarker(inputs) };
}

/** Whether MAAS holds the machine under this agent name (a deployment made before markers: its owner). */
function heldBy(p: { systemId: string }, marker: string): Promise<boolean> {
    return client().hasAgentName(p.systemId, marker);
}

const TAKEN_STATES = [...HOLDING_STATES, "Failed deployment"];

export async function create(inputs: DeploymentInputs & Record<string, unknown>): Promise<{ id: string; outs: DeploymentOuts }> {
    try {
        const machine = await deployToCompletion(inputs);
        return { id: inputs.systemId, outs: outsFor(inputs, machine, machine.status_name === "Deployed" || !inputs.waitDeployment) };
    } catch (e) {
        if (!(await mayHoldMachine(inputs))) throw new Error(errorMessage(e), { cause: e });
        const outs: DeploymentOuts = { ...inputs, deployed: false, ipAddresses: [], marker: deploymentMarker(inputs) };
        throw partialState(errorMessage(e), inputs.systemId, { ...inputs, ...outs });
    }
}

/**
 * Whether a failed create may have left MAAS holding the machine, so the state must keep it for
 * destroy: yes when MAAS says so, and also when MAAS cannot be asked (better a release that finds
 * nothing to do than a deployed machine nobody records).
 */
async function mayHoldMachine(inputs: DeploymentInputs): Promise<boolean> {
    try {
        return TAKEN_STATES.includes((await client().getMachine(inputs.systemId)).status_name);
    } catch (e) {
        reportProgress({ host: inputs.hostname, systemId: inputs.systemId, state: "unknown", elapsedS: 0, timeoutS: null, message: `could not read the machine after the failure (${errorMessage(e)}): kept in the state` });
        return true;
    }
}

export async function update(_id: string, olds: DeploymentOuts, news: DeploymentInputs): Promise<{ outs: DeploymentOuts }> {
    if (olds.deployed && olds.systemId === news.systemId) {
        // Only settings that take effect later (timeouts, release options) changed.
        const machine = await client().getMachine(news.systemId);
        return { outs: outsFor(news, machine, true) };
    }
    try {
        const machine = await deployToCompletion(news);
        return { outs: outsFor(news, machine, machine.status_name === "Deployed" || !news.waitDeployment) };
    } catch (e) {
        throw new Error(errorMessage(e), { cause: e });
    }
}

export async function read(id: string, props: DeploymentOuts): Promise<{ id?: string; props?: DeploymentOuts }> {
    const machine = await machineOrGone(id);
    if (!machine) return {};
    const deployed = machine.status_name === "Deployed" || machine.status_name === "Deploying";
    return { id, props: { ...props, deployed, ipAddresses: [...machine.ip_addresses].sort() } };
}


export async function remove(id: string, props: DeploymentOuts): Promise<void> {
    const machine = await machineOrGone(id);
    if (!machine || (!TAKEN_STATES.includes(machine.status_name) && !["Releasing", "Disk erasing"].includes(machine.status_name))) return;
    const status = machine.status_name;
    if (isRemoval(props.owner)) {
        const refusal = judge("release", { hostname: props.hostname, systemId: id, status }, "its deployment left the program");
        if (refusal) throw new Error(`release ${who(props)}: ${refusal}`);
    }
    if (TAKEN_STATES.includes(status) && !(await heldBy({ systemId: id }, props.marker ?? props.owner))) {
        reportProgress({ host: props.hostname, systemId: id, state: status, elapsedS: 0, timeoutS: null, message: "not released: MAAS holds it under another agent name (another deployment, or someone else)" });
        return;
    }
    try {
        await releaseMachine({ hostname: props.hostname, systemId: id, release: props.release }, machine);
    } catch (e) {
        if (e instanceof FailureStateError) throw new Error(`release ${who(props)}: ${e.message}`, { cause: e });
        throw e;
    }
}
