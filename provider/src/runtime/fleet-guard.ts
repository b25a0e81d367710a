// MaasFleet inside the provider process: the list of machines a program declares, kept in the state,
// so that a preview can tell which machines left the program since the last `up` — the engine plans
// their deletion without asking any provider — and apply the destructive-change policy to them
// before anything reaches MAAS. Nothing here changes MAAS.
import { client, hasMaas } from "./config";
import { CheckFailure, canonicalJson, errorMessage } from "./common";
import { parseMarker } from "./marker";
import { isDestructive, judge } from "./policy";

export interface FleetMember {
    hostname: string;
    /** Whether the stack enlisted it (a removal deletes it from MAAS) or adopted it (a removal forgets it). */
    enlisted: boolean;
    /** "<project>/<stack>/<resource name>": the marker the stack wrote into the machine's description. */
    owner: string;
}

export interface FleetInputs {
    /** By the machine resource's name. */
    machines: Record<string, FleetMember>;
}

export async function check(olds: Partial<FleetInputs>, news: Record<string, unknown>): Promise<{ inputs: FleetInputs; failures: CheckFailure[] }> {
    const inputs: FleetInputs = { machines: (news.machines as FleetInputs["machines"] | undefined) ?? {} };
    const removed = Object.entries(olds?.machines ?? {}).filter(([name]) => !(name in inputs.machines));
    const failures: CheckFailure[] = [];
    if (!hasMaas()) return { inputs, failures };
    for (const [name, member] of removed) {
        const refusal = await removalRefusal(member);
        if (refusal) failures.push({ property: `machines.${name}`, reason: refusal });
    }
    return { inputs, failures };
}

/** The machine of a member that left the program, found by hostname and the stack's marker. */
async function machineOf(member: FleetMember) {
    const found = await client().listMachines({ hostname: [member.hostname] });
    return found.find((m) => parseMarker(m.description)?.owner === member.owner);
}

async function removalRefusal(member: FleetMember): Promise<string | undefined> {
    let machine;
    try {
        machine = await machineOf(member);
    } catch (e) {
        return `${member.hostname} left the program, and reading it from MAAS failed: ${errorMessage(e)}`;
    }
    if (!machine) return undefined;
    const now = { hostname: member.hostname, systemId: machine.system_id, status: machine.status_name };
    if (!isDestructive(now)) {
        if (member.enlisted) console.log(`${member.hostname} (${machine.system_id}) left the program: \`up\` deletes it from MAAS (it is ${now.status})`);
        return undefined;
    }
    return judge(member.enlisted ? "delete" : "release", now, "it left the program");
}

export async function diff(_id: string, olds: FleetInputs, news: FleetInputs): Promise<{ changes: boolean }> {
    return { changes: canonicalJson(olds.machines) !== canonicalJson(news.machines) };
}

export async function create(inputs: FleetInputs): Promise<{ id: string; outs: FleetInputs }> {
    return { id: "fleet", outs: { machines: inputs.machines } };
}

export async function update(_id: string, _olds: FleetInputs, news: FleetInputs): Promise<{ outs: FleetInputs }> {
    return { outs: { machines: news.machines } };
}

export async function read(id: string, props: FleetInputs): Promise<{ id: string; props: FleetInputs }> {
    return { id, props };
}

export async function remove(): Promise<void> {
    // Nothing in MAAS belongs to the list itself.
}
