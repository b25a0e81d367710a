// MaasBond and MaasInterface inside the provider process. MAAS edits interfaces only on New, Ready,
// Allocated, Broken and Failed-testing machines, so — like storage — any change is a delete-first
// replacement (a deployed machine's deployment is released first); create applies on the Ready machine
// idempotently, reads back and compares; update and delete never call MAAS.
import { Interface, Machine, NotFoundError, Subnet } from "../maas";
import { cachedSubnets, client, hasMaas, machineOrGone, recentMachine } from "./config";
import { CheckFailure, UNKNOWN, containsUnknown, errorMessage, revisionOf, sameJson } from "./common";
import { reportProgress } from "./progress";

// ----------------------------------------------------------------------------- MAAS constants
// Checked against maasserver/forms/interface.py (BondInterfaceForm) and maasserver/enum.py, MAAS 3.x;
// the defaults are the form's initial values (MAAS's API docstring claims active-backup/slow: wrong).

export const BOND_MODES = ["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"] as const;
export type BondMode = (typeof BOND_MODES)[number];
export const LACP_RATES = ["fast", "slow"] as const;
export const XMIT_HASH_POLICIES = ["layer2", "layer2+3", "layer3+4", "encap2+3", "encap3+4"] as const;
export const MAAS_BOND_DEFAULTS = { mode: "balance-rr" as BondMode, miimon: 100, updelay: 0, downdelay: 0, lacpRate: "fast", xmitHashPolicy: "layer2" };
/** Modes whose driver reads xmit_hash_policy (Linux bonding.rst). lacp_rate is read by 802.3ad only. */
export const HASH_POLICY_MODES: readonly string[] = ["balance-xor", "802.3ad", "balance-tlb"];
export const IP_MODES = ["static", "dhcp", "auto", "link_up"] as const;
export type IpMode = (typeof IP_MODES)[number];
/** Machine states in which MAAS edits interfaces (maas-api.md §5.3). */
export const INTERFACE_EDIT_STATES = ["New", "Ready", "Allocated", "Broken", "Failed testing"];
const MIN_MTU = 552;
const MAX_MTU = 65535;

// ------------------------------------------------------------------------------ pure helpers

export interface BondParamInputs {
    mode?: string | null;
    miimon?: number | null;
    updelay?: number | null;
    downdelay?: number | null;
    lacpRate?: string | null;
    xmitHashPolicy?: string | null;
}

/** The bond settings that matter for a mode, MAAS's defaults filled in; parameters the mode ignores are null. */
export interface EffectiveBondParams {
    mode: string;
    miimon: number;
    updelay: number;
    downdelay: number;
    lacpRate: string | null;
    xmitHashPolicy: string | null;
}

export function effectiveBondParams(p: BondParamInputs): EffectiveBondParams {
    const mode = p.mode ?? MAAS_BOND_DEFAULTS.mode;
    return {
        mode,
        miimon: p.miimon ?? MAAS_BOND_DEFAULTS.miimon,
        updelay: p.updelay ?? MAAS_BOND_DEFAULTS.updelay,
        downdelay: p.downdelay ?? MAAS_BOND_DEFAULTS.downdelay,
        lacpRate: mode === "802.3ad" ? (p.lacpRate ?? MAAS_BOND_DEFAULTS.lacpRate) : null,
        xmitHashPolicy: HASH_POLICY_MODES.includes(mode) ? (p.xmitHashPolicy ?? MAAS_BOND_DEFAULTS.xmitHashPolicy) : null,
    };
}

/** Bond parameters from an interface's `params` (bond_mode, bond_miimon, ...). */
export function bondParamsFromMaas(params: unknown): BondParamInputs {
    const p = params && typeof params === "object" ? (params as Record<string, unknown>) : {};
    const num = (v: unknown) => (v === undefined || v === null || v === "" ? null : Number(v));
    const str = (v: unknown) => (v === undefined || v === null || v === "" ? null : String(v));
    return {
        mode: str(p.bond_mode),
        miimon: num(p.bond_miimon),
        updelay: num(p.bond_updelay),
        downdelay: num(p.bond_downdelay),
        lacpRate: str(p.bond_lacp_rate),
        xmitHashPolicy: str(p.bond_xmit_hash_policy),
    };
}

/** Differences in the parameters the wanted mode uses; what MAAS stores for other parameters never flaps. */
export function compareBondParams(want: BondParamInputs, have: BondParamInputs): string[] {
    const w = effectiveBondParams(want);
    const h = effectiveBondParams({ ...have, mode: have.mode ?? MAAS_BOND_DEFAULTS.mode });
    const out: string[] = [];
    if (w.mode !== h.mode) return [`mode ${h.mode} in MAAS, ${w.mode} wanted`];
    for (const k of ["miimon", "updelay", "downdelay", "lacpRate", "xmitHashPolicy"] as const) {
        if (w[k] !== h[k]) out.push(`${k} ${h[k]} in MAAS, ${w[k]} wanted`);
    }
    return out;
}

function ipv4ToBigInt(ip: string): bigint | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip.trim());
    if (!m) return undefined;
    const parts = m.slice(1).map(Number);
    if (parts.some((x) => x > 255)) return undefined;
    return parts.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n);
}

function ipv6ToBigInt(ip: string): bigint | undefined {
    const s = ip.trim().toLowerCase();
    if (!/^[0-9a-f:.]+$/.test(s) || !s.includes(":")) return undefined;
    const halves = s.split("::");
    if (halves.length > 2) return undefined;
    const parse = (h: string) => (h === "" ? [] : h.split(":"));
    const head = parse(halves[0]!);
    const tail = halves.length === 2 ? parse(halves[1]!) : [];
    const groups = [...head, ...tail];
    const last = groups[groups.length - 1];
    const words: number[] = [];
    for (const g of groups) {
        if (g === last && g.includes(".")) {
            const v4 = ipv4ToBigInt(g);
            if (v4 === undefined) return undefined;
            words.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        } else {
            if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
            words.push(parseInt(g, 16));
        }
    }
    const missing = 8 - words.length;
    if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
    const full = halves.length === 2 ? [...words.slice(0, head.length), ...Array(missing).fill(0), ...words.slice(head.length)] : words;
    return full.reduce((acc: bigint, x: number) => (acc << 16n) | BigInt(x), 0n);
}

export interface ParsedCidr {
    family: 4 | 6;
    network: bigint;
    prefix: number;
}

export function parseCidr(cidr: string): ParsedCidr | undefined {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(cidr.trim());
    if (!m) return undefined;
    const prefix = Number(m[2]);
    const v4 = ipv4ToBigInt(m[1]!);
    if (v4 !== undefined) return prefix <= 32 ? { family: 4, network: v4 >> BigInt(32 - prefix), prefix } : undefined;
    const v6 = ipv6ToBigInt(m[1]!);
    if (v6 !== undefined) return prefix <= 128 ? { family: 6, network: v6 >> BigInt(128 - prefix), prefix } : undefined;
    return undefined;
}

/** Whether `ip` lies in `cidr` (IPv4 or IPv6). */
export function ipInSubnet(ip: string, cidr: string): boolean {
    const c = parseCidr(cidr);
    if (!c) return false;
    const bits = c.family === 4 ? 32 : 128;
    const addr = c.family === 4 ? ipv4ToBigInt(ip) : ipv6ToBigInt(ip);
    if (addr === undefined) return false;
    return addr >> BigInt(bits - c.prefix) === c.network;
}

/** The canonical form of a CIDR ("10.0.0.0/24"), for comparing with MAAS's subnets. */
export function canonicalCidr(cidr: string): string {
    return cidr.trim().toLowerCase();
}

// ---------------------------------------------------------------------------------- shared

function who(p: { hostname: string; systemId?: string }): string {
    return p.systemId && p.systemId !== UNKNOWN ? `${p.hostname} (${p.systemId})` : p.hostname;
}

export interface MachineRef {
    systemId: string;
    hostname: string;
    commissionRevision: string;
}

function machineRef(news: Record<string, unknown>, failures: CheckFailure[]): MachineRef {
    const ref = { systemId: String(news.systemId ?? ""), hostname: String(news.hostname ?? ""), commissionRevision: String(news.commissionRevision ?? "") };
    if (!ref.systemId) failures.push({ property: "systemId", reason: "the machine's system_id is required" });
    return ref;
}

function optInt(news: Record<string, unknown>, key: string, min: number, max: number, failures: CheckFailure[]): number | null {
    const v = news[key];
    if (v === undefined || v === null || v === "") return null;
    if (v === UNKNOWN) return v as unknown as number;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
        failures.push({ property: key, reason: `${key} must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}` });
        return null;
    }
    return n;
}

function oneOf<T extends string>(news: Record<string, unknown>, key: string, choices: readonly T[], failures: CheckFailure[]): T | null {
    const v = news[key];
    if (v === undefined || v === null || v === "") return null;
    if (v === UNKNOWN) return v as T;
    if (!choices.includes(v as T)) {
        failures.push({ property: key, reason: `"${String(v)}" is not a valid ${key}; one of: ${choices.join(", ")}` });
        return null;
    }
    return v as T;
}

/** Whether the machine's NICs are final (commissioned) and its identity known, so check can look. */
function lookable(ref: MachineRef): boolean {
    return !!ref.systemId && !containsUnknown(ref.systemId) && !containsUnknown(ref.commissionRevision) && hasMaas();
}

function nicList(ifaces: { name: string; type: string }[]): string {
    return ifaces.map((i) => `${i.name} (${i.type})`).join(", ") || "none";
}

function editable(machine: Machine): boolean {
    return INTERFACE_EDIT_STATES.includes(machine.status_name);
}

function notEditable(what: string, machine: Machine): Error {
    return new Error(
        `${what}: MAAS changes interfaces only on New, Ready, Allocated, Broken or Failed testing machines, and this one is ${machine.status_name}. ` +
            `A network change on a deployed machine replaces its deployment first (release with erase, gated by maas:allowRedeploy). Nothing was changed.`,
    );
}

function progress(ref: MachineRef, state: string, message: string): void {
    reportProgress({ host: ref.hostname, systemId: ref.systemId, state, elapsedS: 0, timeoutS: null, message, step: true });
}

// ---------------------------------------------------------------------------------- bonds

export interface BondInputs extends MachineRef {
    name: string;
    /** Parent NIC names; the first one's MAC becomes the bond's. */
    interfaces: string[];
    mode: BondMode;
    mtu: number | null;
    miimon: number | null;
    updelay: number | null;
    downdelay: number | null;
    lacpRate: string | null;
    xmitHashPolicy: string | null;
}

export interface BondOuts extends BondInputs {
    /** Hash of what MAAS holds for this bond; `read` changes it on drift. */
    revision: string;
    /** The parameters MAAS applies for this mode (defaults filled in). */
    effective: EffectiveBondParams;
}

const BOND_FIELDS = ["name", "interfaces", "mode", "mtu", "miimon", "updelay", "downdelay", "lacpRate", "xmitHashPolicy"] as const;

function bondDesired(b: BondInputs) {
    return { name: b.name, interfaces: b.interfaces, mtu: b.mtu, params: effectiveBondParams(b) };
}

export function bondRevision(b: BondInputs): string {
    return revisionOf(bondDesired(b));
}

export async function checkBond(_olds: Partial<BondInputs>, news: Record<string, unknown>): Promise<{ inputs: BondInputs; failures: CheckFailure[] }> {
    const failures: CheckFailure[] = [];
    const ref = machineRef(news, failures);
    const rawIfaces = news.interfaces;
    const interfaces = Array.isArray(rawIfaces) ? rawIfaces.map((x) => String(x)) : [];
    if (!containsUnknown(rawIfaces)) {
        if (interfaces.length === 0) failures.push({ property: "interfaces", reason: `bond ${String(news.name)}: needs at least one parent interface` });
        const dup = interfaces.find((n, i) => interfaces.indexOf(n) !== i);
        if (dup) failures.push({ property: "interfaces", reason: `bond ${String(news.name)}: ${dup} is listed twice` });
    }
    const name = String(news.name ?? "");
    if (!name) failures.push({ property: "name", reason: "a bond needs a name" });
    const inputs: BondInputs = {
        ...ref,
        name,
        interfaces,
        mode: oneOf(news, "mode", BOND_MODES, failures) ?? MAAS_BOND_DEFAULTS.mode,
        mtu: optInt(news, "mtu", MIN_MTU, MAX_MTU, failures),
        miimon: optInt(news, "miimon", 0, 2 ** 31 - 1, failures),
        updelay: optInt(news, "updelay", 0, 2 ** 31 - 1, failures),
        downdelay: optInt(news, "downdelay", 0, 2 ** 31 - 1, failures),
        lacpRate: oneOf(news, "lacpRate", LACP_RATES, failures),
        xmitHashPolicy: oneOf(news, "xmitHashPolicy", XMIT_HASH_POLICIES, failures),
    };
    if (failures.length === 0 && lookable(ref) && !containsUnknown(interfaces)) {
        try {
            const machine = await recentMachine(ref.systemId, "read machine for its interfaces");
            if (!["New", "Commissioning"].includes(machine.status_name)) {
                const missing = missingParents(interfaces, machine.interface_set);
                if (missing) failures.push({ property: "interfaces", reason: `bond ${name} on ${who(ref)}: ${missing}` });
            }
        } catch (e) {
            if (!(e instanceof NotFoundError)) failures.push({ property: "interfaces", reason: errorMessage(e) });
        }
    }
    return { inputs, failures };
}

function missingParents(names: string[], ifaces: Interface[]): string | undefined {
    const missing = names.filter((n) => !ifaces.some((i) => i.name === n && i.type === "physical"));
    if (missing.length === 0) return undefined;
    return `no physical interface ${missing.join(", ")} on the machine (after commissioning); the machine's interfaces: ${nicList(ifaces)}`;
}

export async function diffBond(_id: string, olds: BondOuts, news: BondInputs): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
    const replaces: string[] = [];
    for (const f of ["systemId", "commissionRevision"] as const) if (containsUnknown(news[f]) || olds[f] !== news[f]) replaces.push(f);
    if (containsUnknown(news)) {
        for (const f of BOND_FIELDS) if (containsUnknown(news[f])) replaces.push(f);
    } else {
        const o = bondDesired(olds);
        const n = bondDesired(news);
        if (o.name !== n.name) replaces.push("name");
        if (!sameJson(o.interfaces, n.interfaces)) replaces.push("interfaces");
        if (o.mtu !== n.mtu) replaces.push("mtu");
        if (!sameJson(o.params, n.params)) replaces.push(...(["mode", "miimon", "updelay", "downdelay", "lacpRate", "xmitHashPolicy"] as const).filter((k) => !sameJson(olds[k], news[k])));
        if (replaces.length === 0 && olds.revision !== bondRevision(news)) replaces.push("revision");
    }
    const changes = replaces.length > 0 || olds.hostname !== news.hostname;
    return { changes, replaces: [...new Set(replaces)], deleteBeforeReplace: true };
}

/** Differences between the wanted bond and the interface MAAS holds under that name. */
export function compareBond(want: BondInputs, have: Interface | undefined): string[] {
    if (!have) return [`bond ${want.name} is not in MAAS`];
    if (have.type !== "bond") return [`${want.name} is a ${have.type} interface in MAAS, not a bond`];
    const out: string[] = [];
    const wantParents = [...want.interfaces].sort();
    const haveParents = [...have.parents].sort();
    if (!sameJson(wantParents, haveParents)) out.push(`parents [${haveParents.join(", ")}] in MAAS, [${wantParents.join(", ")}] wanted`);
    out.push(...compareBondParams(want, bondParamsFromMaas(have.params)));
    if (want.mtu !== null && have.effective_mtu !== want.mtu) out.push(`MTU ${have.effective_mtu} in MAAS, ${want.mtu} wanted`);
    return out.map((d) => `bond ${want.name}: ${d}`);
}

function bondOuts(inputs: BondInputs): BondOuts {
    return { ...inputs, revision: bondRevision(inputs), effective: effectiveBondParams(inputs) };
}

export async function createBond(inputs: BondInputs & Record<string, unknown>): Promise<{ id: string; outs: BondOuts }> {
    if (containsUnknown({ ...inputs })) throw new Error(`bond ${inputs.name} on ${who(inputs)}: inputs are still unknown`);
    const maas = client();
    const sid = inputs.systemId;
    const what = `bond ${inputs.name} on ${who(inputs)}`;
    const id = `${sid}/bond/${inputs.name}`;
    const machine = await maas.getMachine(sid, "read machine for its interfaces");
    let ifaces = await maas.listInterfaces(sid);
    const missing = missingParents(inputs.interfaces, ifaces);
    if (missing) throw new Error(`${what}: ${missing}`);
    const existing = ifaces.find((i) => i.name === inputs.name);
    if (existing && compareBond(inputs, existing).length === 0) {
        progress(inputs, machine.status_name, `network: bond ${inputs.name} already as wanted`);
        return { id, outs: bondOuts(inputs) };
    }
    if (!editable(machine)) throw notEditable(what, machine);
    if (existing) {
        if (existing.type !== "bond") throw new Error(`${what}: ${inputs.name} is already a ${existing.type} interface; choose another bond name`);
        progress(inputs, machine.status_name, `network: bond ${inputs.name} differs (${compareBond(inputs, existing).join("; ")}): recreating it`);
        await maas.deleteInterface(sid, existing.id);
        ifaces = await maas.listInterfaces(sid);
    }
    // A parent still enslaved to another bond (an earlier name of this one, say) is freed first.
    for (const other of ifaces.filter((i) => i.type === "bond" && i.name !== inputs.name && i.parents.some((p) => inputs.interfaces.includes(p)))) {
        progress(inputs, machine.status_name, `network: deleting bond ${other.name}, which holds ${other.parents.filter((p) => inputs.interfaces.includes(p)).join(", ")}`);
        await maas.deleteInterface(sid, other.id);
        ifaces = await maas.listInterfaces(sid);
    }
    const parentIds = inputs.interfaces.map((n) => ifaces.find((i) => i.name === n)!.id);
    const eff = effectiveBondParams(inputs);
    await maas.createBond(sid, {
        name: inputs.name,
        parents: parentIds,
        mode: eff.mode,
        miimon: eff.miimon,
        updelay: eff.updelay,
        downdelay: eff.downdelay,
        ...((eff.lacpRate ?? inputs.lacpRate) ? { lacpRate: (eff.lacpRate ?? inputs.lacpRate)! } : {}),
        ...((eff.xmitHashPolicy ?? inputs.xmitHashPolicy) ? { xmitHashPolicy: (eff.xmitHashPolicy ?? inputs.xmitHashPolicy)! } : {}),
        ...(inputs.mtu !== null ? { mtu: inputs.mtu } : {}),
    });
    const after = compareBond(inputs, (await maas.listInterfaces(sid)).find((i) => i.name === inputs.name));
    if (after.length) throw new Error(`${what}: created, but MAAS reports something else: ${after.join("; ")}`);
    progress(inputs, machine.status_name, `network: bond ${inputs.name} (${eff.mode}) over ${inputs.interfaces.join(", ")} created and read back`);
    return { id, outs: bondOuts(inputs) };
}

export async function updateBond(_id: string, olds: BondOuts, news: BondInputs): Promise<{ outs: BondOuts }> {
    return { outs: { ...olds, hostname: news.hostname } };
}

export async function readBond(id: string, props: BondOuts): Promise<{ id?: string; props?: BondOuts }> {
    // The machine's interface_set, read once for the whole fleet's refresh.
    const machine = await machineOrGone(props.systemId);
    if (!machine) return {};
    const diffs = compareBond(props, machine.interface_set.find((i) => i.name === props.name));
    if (diffs.length) {
        console.log(`warning: ${who(props)}: ${diffs.join("; ")}`);
        return { id, props: { ...props, revision: `drift:${revisionOf(diffs)}` } };
    }
    return { id, props: { ...props, revision: bondRevision(props) } };
}

export async function removeBond(_id: string, props: BondOuts): Promise<void> {
    progress(props, "forgotten", `network: bond ${props.name} left in MAAS (release with erase or the next network change replaces it)`);
}

// ------------------------------------------------------------------------------ interfaces

export interface InterfaceInputs extends MachineRef {
    /** A NIC, bond or VLAN interface name (a VLAN interface is named "<parent>.<vid>"). */
    name: string;
    /** Creates the VLAN interface on the parent when absent. */
    vlan: { parent: string; vid: number } | null;
    mtu: number | null;
    /** CIDR of the subnet to link to. */
    subnet: string | null;
    ipMode: IpMode;
    ipAddress: string | null;
    defaultGateway: boolean;
    /** Revision of the bond (or other resource) this interface sits on: a change re-applies it. */
    parentRevision: string;
}

export interface InterfaceOuts extends InterfaceInputs {
    revision: string;
}

const INTERFACE_FIELDS = ["name", "vlan", "mtu", "subnet", "ipMode", "ipAddress", "defaultGateway", "parentRevision"] as const;

function interfaceDesired(i: InterfaceInputs) {
    return { name: i.name, vlan: i.vlan, mtu: i.mtu, subnet: i.subnet, ipMode: i.ipMode, ipAddress: i.ipAddress, defaultGateway: i.defaultGateway };
}

export function interfaceRevision(i: InterfaceInputs): string {
    return revisionOf(interfaceDesired(i));
}

/** Rules of one interface entry that need no MAAS: modes, subnet, address in subnet, gateway, VLAN name. */
export function validateInterface(i: Omit<InterfaceInputs, keyof MachineRef | "parentRevision">): CheckFailure[] {
    const failures: CheckFailure[] = [];
    if (!i.name) failures.push({ property: "name", reason: "an interface entry needs a name" });
    if (i.subnet !== null && !containsUnknown(i.subnet) && !parseCidr(i.subnet)) failures.push({ property: "subnet", reason: `"${i.subnet}" is not a CIDR such as 10.0.0.0/24` });
    if ((i.ipMode === "static" || i.ipMode === "auto") && i.subnet === null) failures.push({ property: "subnet", reason: `${i.name}: ip_mode ${i.ipMode} needs a subnet` });
    if (i.ipAddress !== null && !containsUnknown(i.ipAddress)) {
        if (i.ipMode !== "static") failures.push({ property: "ipAddress", reason: `${i.name}: an IP address is only used with ip_mode static, not ${i.ipMode}` });
        else if (i.subnet !== null && !containsUnknown(i.subnet) && parseCidr(i.subnet) && !ipInSubnet(i.ipAddress, i.subnet)) {
            failures.push({ property: "ipAddress", reason: `${i.name}: ${i.ipAddress} is not in subnet ${i.subnet}` });
        }
    }
    if (i.defaultGateway && i.ipMode !== "static" && i.ipMode !== "auto") failures.push({ property: "defaultGateway", reason: `${i.name}: a default gateway needs ip_mode static or auto, not ${i.ipMode}` });
    if (i.vlan && !containsUnknown(i.vlan)) {
        if (!i.vlan.parent) failures.push({ property: "vlan", reason: `${i.name}: a VLAN needs its parent interface` });
        if (!Number.isInteger(i.vlan.vid) || i.vlan.vid < 1 || i.vlan.vid > 4094) failures.push({ property: "vlan", reason: `${i.name}: VLAN id ${i.vlan.vid} is not from 1 to 4094` });
        const expected = `${i.vlan.parent}.${i.vlan.vid}`;
        if (i.name && !containsUnknown(i.name) && i.name !== expected) failures.push({ property: "name", reason: `MAAS names a VLAN interface "<parent>.<vid>": this one will be ${expected}, not ${i.name}` });
    }
    return failures;
}

export async function checkInterface(_olds: Partial<InterfaceInputs>, news: Record<string, unknown>): Promise<{ inputs: InterfaceInputs; failures: CheckFailure[] }> {
    const failures: CheckFailure[] = [];
    const ref = machineRef(news, failures);
    const rawVlan = news.vlan as { parent?: unknown; vid?: unknown } | undefined | null;
    const vlan = rawVlan ? { parent: String(rawVlan.parent ?? ""), vid: rawVlan.vid === UNKNOWN ? (UNKNOWN as unknown as number) : Number(rawVlan.vid) } : null;
    const subnet = typeof news.subnet === "string" && news.subnet ? canonicalCidr(news.subnet) : null;
    const ipMode = oneOf(news, "ipMode", IP_MODES, failures) ?? (subnet ? "auto" : "link_up");
    const inputs: InterfaceInputs = {
        ...ref,
        name: String(news.name ?? ""),
        vlan,
        mtu: optInt(news, "mtu", MIN_MTU, MAX_MTU, failures),
        subnet,
        ipMode,
        ipAddress: typeof news.ipAddress === "string" && news.ipAddress ? news.ipAddress.trim() : null,
        defaultGateway: news.defaultGateway === true,
        parentRevision: typeof news.parentRevision === "string" ? news.parentRevision : "",
    };
    failures.push(...validateInterface(inputs));
    // The subnet must exist in MAAS (preview shows a typo before anything changes).
    if (failures.length === 0 && subnet && !containsUnknown(subnet) && hasMaas() && !containsUnknown(ref.systemId)) {
        try {
            const subnets = await cachedSubnets();
            if (!subnets.some((s) => canonicalCidr(s.cidr) === subnet)) failures.push({ property: "subnet", reason: `${inputs.name} on ${who(ref)}: no subnet ${subnet} in MAAS; MAAS has ${subnets.map((s) => s.cidr).join(", ") || "none"}` });
        } catch (e) {
            failures.push({ property: "subnet", reason: errorMessage(e) });
        }
    }
    return { inputs, failures };
}

export async function diffInterface(_id: string, olds: InterfaceOuts, news: InterfaceInputs): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
    const replaces: string[] = [];
    for (const f of ["systemId", "commissionRevision"] as const) if (containsUnknown(news[f]) || olds[f] !== news[f]) replaces.push(f);
    for (const f of INTERFACE_FIELDS) if (containsUnknown(news[f]) || !sameJson(olds[f] ?? null, news[f] ?? null)) replaces.push(f);
    if (replaces.length === 0 && olds.revision !== interfaceRevision(news)) replaces.push("revision");
    const changes = replaces.length > 0 || olds.hostname !== news.hostname;
    return { changes, replaces, deleteBeforeReplace: true };
}

interface LinkView {
    id: number;
    mode: string;
    subnet: string | null;
    ip: string | null;
}

function linksOf(i: Interface): LinkView[] {
    return i.links.map((l) => ({ id: l.id, mode: l.mode.toLowerCase(), subnet: l.subnet?.cidr ? canonicalCidr(l.subnet.cidr) : null, ip: l.ip_address ?? null }));
}

function gatewayLinkIds(machine: Machine): number[] {
    const gw = (machine as Record<string, unknown>).default_gateways as Record<string, { link_id?: number | null } | undefined> | undefined;
    return [gw?.ipv4?.link_id, gw?.ipv6?.link_id].filter((x): x is number => typeof x === "number");
}

function linkMatches(want: InterfaceInputs, links: LinkView[]): boolean {
    if (links.length !== 1) return false;
    const l = links[0]!;
    if (l.mode !== want.ipMode) return false;
    if (want.subnet !== null && l.subnet !== want.subnet) return false;
    if (want.ipMode === "static" && want.ipAddress !== null && l.ip !== want.ipAddress) return false;
    return true;
}

/** Differences between the wanted interface and what MAAS holds (links, MTU, VLAN, default gateway). */
export function compareInterface(want: InterfaceInputs, have: Interface | undefined, gatewayLinks: number[]): string[] {
    if (!have) return [`interface ${want.name} is not in MAAS`];
    const out: string[] = [];
    if (want.vlan) {
        if (have.type !== "vlan") out.push(`${want.name} is a ${have.type} interface in MAAS, not a VLAN interface`);
        else if (have.vlan?.vid !== want.vlan.vid) out.push(`VLAN ${have.vlan?.vid ?? "none"} in MAAS, ${want.vlan.vid} wanted`);
    }
    if (want.mtu !== null && have.effective_mtu !== want.mtu) out.push(`MTU ${have.effective_mtu} in MAAS, ${want.mtu} wanted`);
    const links = linksOf(have);
    if (!linkMatches(want, links)) {
        const show = (l: LinkView) => `${l.mode}${l.subnet ? ` on ${l.subnet}` : ""}${l.ip ? ` (${l.ip})` : ""}`;
        out.push(`links [${links.map(show).join(", ") || "none"}] in MAAS, ${want.ipMode}${want.subnet ? ` on ${want.subnet}` : ""}${want.ipAddress ? ` (${want.ipAddress})` : ""} wanted`);
    } else if (want.defaultGateway && !gatewayLinks.includes(links[0]!.id)) {
        out.push(`not the machine's default gateway in MAAS`);
    }
    return out.map((d) => `interface ${want.name}: ${d}`);
}

async function resolveSubnet(what: string, cidr: string): Promise<Subnet> {
    const subnets = await cachedSubnets();
    const s = subnets.find((x) => canonicalCidr(x.cidr) === cidr);
    if (!s) throw new Error(`${what}: no subnet ${cidr} in MAAS; MAAS has ${subnets.map((x) => x.cidr).join(", ") || "none"}`);
    return s;
}

async function ensureVlanInterface(inputs: InterfaceInputs, what: string, ifaces: Interface[]): Promise<Interface> {
    const maas = client();
    const { parent: parentName, vid } = inputs.vlan!;
    const parent = ifaces.find((i) => i.name === parentName);
    if (!parent) throw new Error(`${what}: the VLAN's parent ${parentName} is not on the machine; the machine's interfaces: ${nicList(ifaces)}`);
    const fabricId = parent.vlan?.fabric_id;
    if (fabricId === undefined || fabricId === null) throw new Error(`${what}: the parent ${parentName} is not connected to a fabric in MAAS, so VLAN ${vid} cannot be placed`);
    const vlans = await maas.listVlans(fabricId);
    const vlan = vlans.find((v) => v.vid === vid);
    if (!vlan) throw new Error(`${what}: fabric ${parent.vlan?.fabric ?? fabricId} of ${parentName} has no VLAN ${vid} in MAAS (it has VIDs ${vlans.map((v) => v.vid).join(", ") || "none"}); create the VLAN in MAAS first`);
    progress(inputs, "", `network: creating VLAN interface ${inputs.name} on ${parentName}`);
    return maas.createVlan(inputs.systemId, { parent: parent.id, vlan: vlan.id, ...(inputs.mtu !== null ? { mtu: inputs.mtu } : {}) });
}

export async function createInterface(inputs: InterfaceInputs & Record<string, unknown>): Promise<{ id: string; outs: InterfaceOuts }> {
    if (containsUnknown({ ...inputs })) throw new Error(`interface ${inputs.name} on ${who(inputs)}: inputs are still unknown`);
    const maas = client();
    const sid = inputs.systemId;
    const what = `interface ${inputs.name} on ${who(inputs)}`;
    const id = `${sid}/interface/${inputs.name}`;
    const outs: InterfaceOuts = { ...inputs, revision: interfaceRevision(inputs) };
    let machine = await maas.getMachine(sid, "read machine for its interfaces");
    const ifaces = await maas.listInterfaces(sid);
    let iface = ifaces.find((i) => i.name === inputs.name);
    if (compareInterface(inputs, iface, gatewayLinkIds(machine)).length === 0) {
        progress(inputs, machine.status_name, `network: ${inputs.name} already as wanted`);
        return { id, outs };
    }
    if (!iface && !inputs.vlan) throw new Error(`${what}: no such interface on the machine; the machine's interfaces: ${nicList(ifaces)}`);
    const subnet = inputs.subnet ? await resolveSubnet(what, inputs.subnet) : undefined;
    if (!editable(machine)) throw notEditable(what, machine);
    if (!iface) iface = await ensureVlanInterface(inputs, what, ifaces);
    else if (inputs.vlan && (iface.type !== "vlan" || iface.vlan?.vid !== inputs.vlan.vid)) throw new Error(`${what}: MAAS has ${inputs.name} as ${iface.type} interface on VLAN ${iface.vlan?.vid ?? "none"}, not VLAN ${inputs.vlan.vid}`);
    if (inputs.mtu !== null && iface.effective_mtu !== inputs.mtu) iface = await maas.updateInterface(sid, iface.id, { mtu: inputs.mtu });
    if (!linkMatches(inputs, linksOf(iface)) || (inputs.defaultGateway && !gatewayLinkIds(machine).includes(linksOf(iface)[0]?.id ?? -1))) {
        // Replace the links as a unit: unlink what is there, move the interface onto the subnet's VLAN, link.
        if (inputs.ipMode !== "link_up") for (const l of iface.links) iface = await maas.unlinkSubnet(sid, iface.id, l.id);
        if (subnet?.vlan && iface.vlan?.id !== subnet.vlan.id) {
            if (iface.type === "vlan") throw new Error(`${what}: subnet ${inputs.subnet} is on VLAN ${subnet.vlan.vid}, but ${inputs.name} is on VLAN ${iface.vlan?.vid ?? "none"}`);
            iface = await maas.updateInterface(sid, iface.id, { vlan: subnet.vlan.id });
        }
        iface = await maas.linkSubnet(sid, iface.id, {
            mode: inputs.ipMode,
            ...(subnet ? { subnet: subnet.id } : {}),
            ...(inputs.ipAddress ? { ipAddress: inputs.ipAddress } : {}),
            ...(inputs.defaultGateway ? { defaultGateway: true } : {}),
            ...(inputs.ipMode === "link_up" ? { force: true } : {}),
        });
    }
    machine = await maas.getMachine(sid, "read back interfaces");
    const after = compareInterface(inputs, (await maas.listInterfaces(sid)).find((i) => i.name === inputs.name), gatewayLinkIds(machine));
    if (after.length) throw new Error(`${what}: applied, but MAAS reports something else: ${after.join("; ")}`);
    progress(inputs, machine.status_name, `network: ${inputs.name} ${inputs.ipMode}${inputs.subnet ? ` on ${inputs.subnet}` : ""} applied and read back`);
    return { id, outs };
}

export async function updateInterface(_id: string, olds: InterfaceOuts, news: InterfaceInputs): Promise<{ outs: InterfaceOuts }> {
    return { outs: { ...olds, hostname: news.hostname } };
}

export async function readInterface(id: string, props: InterfaceOuts): Promise<{ id?: string; props?: InterfaceOuts }> {
    const machine = await machineOrGone(props.systemId);
    if (!machine) return {};
    const diffs = compareInterface(props, machine.interface_set.find((i) => i.name === props.name), gatewayLinkIds(machine));
    if (diffs.length) {
        console.log(`warning: ${who(props)}: ${diffs.join("; ")}`);
        return { id, props: { ...props, revision: `drift:${revisionOf(diffs)}` } };
    }
    return { id, props: { ...props, revision: interfaceRevision(props) } };
}

export async function removeInterface(_id: string, props: InterfaceOuts): Promise<void> {
    progress(props, "forgotten", `network: ${props.name} left in MAAS (release with erase or the next network change replaces it)`);
}
