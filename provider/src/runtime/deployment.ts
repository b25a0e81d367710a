// MaasDeployment inside the provider process: deploy a Ready machine (MAAS allocates it itself) and
// wait for Deployed; delete releases it with the release options (disk erase by default) and waits
// for Ready. A deployment that fails after MAAS took the machine is kept as partial state, so destroy
// can still release it and the next `up` resumes instead of deploying twice.
import { FailureStateError, Machine, StatusName } from "../maas";
import { client, machineOrGone } from "./config";
import { CheckFailure, UNKNOWN, containsUnknown, errorMessage, partialState } from "./common";
import { reportProgress } from "./progress";

export interface ReleaseOptions {
    erase: boolean;
    secureErase: boolean;
    quickErase: boolean;
    timeoutS: number;
    wait: boolean;
}

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
    /** Whether `up` may release (erase) and redeploy for a change MAAS cannot make in place. */
    redeployPolicy: RedeployPolicy;
}

export interface DeploymentOuts extends DeploymentInputs {
    /** false when the deployment did not finish, or `read` found the machine released. */
    deployed: boolean;
    ipAddresses: string[];
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
        redeployPolicy: raw.redeployPolicy ?? "refuse",
    };
    const failures: CheckFailure[] = [];
    const existing = olds && olds.systemId;
    if (existing) {
        const changed = changedRedeployFields(olds, inputs).filter((f) => f !== "systemId");
        if (changed.length > 0 && inputs.reprovision === (olds.reprovision ?? "")) {
            const what = `${who(inputs)}: changing ${changed.join(", ")} of a deployed machine means release with disk erase and redeploy`;
            if (inputs.redeployPolicy === "refuse") {
                failures.push({ property: changed[0], reason: `${what}; refused: set maas:allowRedeploy to true (the CLI's --yes) to allow it` });
            } else if (inputs.redeployPolicy === "preview") {
                console.log(`warning: ${what} (\`up\` needs maas:allowRedeploy=true)`);
            }
        }
    }
    return { inputs, failures };
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
const RELEASE_FAILURES: StatusName[] = ["Failed disk erasing", "Releasing failed"];

async function waitFor(inputs: { hostname: string; systemId: string }, machine: Machine, target: StatusName[], failure: StatusName[], timeoutS: number, operation: string): Promise<Machine> {
    const started = Date.now();
    reportProgress({ host: inputs.hostname, systemId: machine.system_id, state: machine.status_name, elapsedS: 0, timeoutS, message: `waiting for ${target.join(" or ")}` });
    return client().watcher.waitFor({
        systemId: machine.system_id,
        hostname: inputs.hostname,
        target,
        failure,
        timeoutMs: timeoutS * 1000,
        operation,
        onChange: (m) =>
            reportProgress({ host: inputs.hostname, systemId: m.system_id, state: m.status_name, elapsedS: (Date.now() - started) / 1000, timeoutS, message: m.status_message ?? "" }),
    });
}

async function startDeploy(inputs: DeploymentInputs): Promise<Machine> {
    return client().deploy(inputs.systemId, {
        ...(inputs.distroSeries ? { distroSeries: inputs.distroSeries } : {}),
        ...(inputs.hweKernel ? { hweKernel: inputs.hweKernel } : {}),
        ...(inputs.userData ? { userData: inputs.userData } : {}),
        agentName: inputs.owner,
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
        machine = await waitFor(inputs, machine, ["Deployed"], DEPLOY_FAILURES, inputs.deployTimeoutS, "deploy");
    }
    return machine;
}

function outsFor(inputs: DeploymentInputs, machine: Machine, deployed: boolean): DeploymentOuts {
    return { ...inputs, deployed, ipAddresses: [...machine.ip_addresses].sort() };
}

export async function create(inputs: DeploymentInputs & Record<string, unknown>): Promise<{ id: string; outs: DeploymentOuts }> {
    try {
        const machine = await deployToCompletion(inputs);
        return { id: inputs.systemId, outs: outsFor(inputs, machine, machine.status_name === "Deployed" || !inputs.waitDeployment) };
    } catch (e) {
        // Only once MAAS has taken the machine is there something for destroy to give back.
        let current: Machine | undefined;
        try {
            current = await client().getMachine(inputs.systemId);
        } catch {
            current = undefined;
        }
        const taken = current && ["Allocated", "Deploying", "Deployed", "Failed deployment"].includes(current.status_name);
        if (!taken) throw new Error(errorMessage(e));
        const outs: DeploymentOuts = { ...inputs, deployed: false, ipAddresses: [] };
        throw partialState(errorMessage(e), inputs.systemId, { ...inputs, ...outs });
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
        throw new Error(errorMessage(e));
    }
}

export async function read(id: string, props: DeploymentOuts): Promise<{ id?: string; props?: DeploymentOuts }> {
    const machine = await machineOrGone(id);
    if (!machine) return {};
    const deployed = machine.status_name === "Deployed" || machine.status_name === "Deploying";
    return { id, props: { ...props, deployed, ipAddresses: [...machine.ip_addresses].sort() } };
}

async function releaseMachine(p: { hostname: string; systemId: string; release: ReleaseOptions }, machine: Machine): Promise<Machine> {
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
    return waitFor(p, machine, ["Ready"], RELEASE_FAILURES, p.release.timeoutS, "release");
}

export async function remove(id: string, props: DeploymentOuts): Promise<void> {
    const machine = await machineOrGone(id);
    if (!machine) return;
    if (["New", "Ready", "Commissioning", "Testing", "Failed commissioning", "Failed testing"].includes(machine.status_name)) return;
    try {
        await releaseMachine({ hostname: props.hostname, systemId: id, release: props.release }, machine);
    } catch (e) {
        if (e instanceof FailureStateError) throw new Error(`release ${who(props)}: ${e.message}`);
        throw e;
    }
}
