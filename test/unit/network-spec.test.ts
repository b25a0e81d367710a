import { test } from "node:test";
import assert from "node:assert/strict";
import type * as N from "../../provider/src/runtime/network";
// Under tsx the sources run directly; compiled (dist/test/unit) the provider's own build is used.
const net = require(__filename.endsWith(".ts") ? "../../provider/src/runtime/network" : "@maas-automation/provider/dist/runtime/network") as typeof N;
const { effectiveBondParams, compareBondParams, bondParamsFromMaas, ipInSubnet, parseCidr, validateInterface, compareBond, compareInterface, diffBond, bondRevision, BOND_MODES } = net;

/** What MAAS stores for a bond created with nothing but a mode: every parameter, with its own defaults. */
const maasParams = (mode: string, extra: Record<string, unknown> = {}) => ({
    bond_mode: mode,
    bond_miimon: 100,
    bond_downdelay: 0,
    bond_updelay: 0,
    bond_num_grat_arp: 1,
    bond_lacp_rate: "fast",
    bond_xmit_hash_policy: "layer2",
    ...extra,
});

test("bond params: MAAS's defaults filled in; parameters a mode does not use are left out", () => {
    assert.deepEqual(effectiveBondParams({}), { mode: "balance-rr", miimon: 100, updelay: 0, downdelay: 0, lacpRate: null, xmitHashPolicy: null });
    assert.deepEqual(effectiveBondParams({ mode: "802.3ad" }), { mode: "802.3ad", miimon: 100, updelay: 0, downdelay: 0, lacpRate: "fast", xmitHashPolicy: "layer2" });
    assert.equal(effectiveBondParams({ mode: "balance-xor", lacpRate: "slow" }).lacpRate, null);
    assert.equal(effectiveBondParams({ mode: "balance-tlb" }).xmitHashPolicy, "layer2");
    assert.equal(effectiveBondParams({ mode: "balance-alb", xmitHashPolicy: "layer3+4" }).xmitHashPolicy, null);
});

test("bond params: for every mode, a request with defaults matches what MAAS stores (nothing flaps)", () => {
    for (const mode of BOND_MODES) assert.deepEqual(compareBondParams({ mode }, bondParamsFromMaas(maasParams(mode))), [], mode);
    // MAAS keeps lacp_rate/xmit_hash_policy values the mode ignores: no difference for those modes.
    for (const mode of ["balance-rr", "active-backup", "broadcast", "balance-alb"]) {
        assert.deepEqual(compareBondParams({ mode, lacpRate: "slow", xmitHashPolicy: "layer3+4" }, bondParamsFromMaas(maasParams(mode))), [], mode);
    }
    assert.deepEqual(compareBondParams({ mode: "balance-xor", lacpRate: "slow" }, bondParamsFromMaas(maasParams("balance-xor"))), []);
});

test("bond params: differences in parameters the mode uses are reported", () => {
    assert.deepEqual(compareBondParams({ mode: "802.3ad", lacpRate: "slow" }, bondParamsFromMaas(maasParams("802.3ad"))), ["lacpRate fast in MAAS, slow wanted"]);
    assert.deepEqual(compareBondParams({ mode: "802.3ad", xmitHashPolicy: "layer3+4" }, bondParamsFromMaas(maasParams("802.3ad"))), ["xmitHashPolicy layer2 in MAAS, layer3+4 wanted"]);
    assert.deepEqual(compareBondParams({ mode: "balance-tlb", xmitHashPolicy: "layer2+3" }, bondParamsFromMaas(maasParams("balance-tlb"))), ["xmitHashPolicy layer2 in MAAS, layer2+3 wanted"]);
    assert.deepEqual(compareBondParams({ mode: "active-backup", miimon: 200, updelay: 400 }, bondParamsFromMaas(maasParams("active-backup"))), ["miimon 100 in MAAS, 200 wanted", "updelay 0 in MAAS, 400 wanted"]);
    assert.deepEqual(compareBondParams({ mode: "broadcast", downdelay: 50 }, bondParamsFromMaas(maasParams("broadcast", { bond_downdelay: "50" }))), [], "string numbers from MAAS compare as numbers");
    assert.deepEqual(compareBondParams({ mode: "802.3ad" }, bondParamsFromMaas(maasParams("balance-rr"))), ["mode balance-rr in MAAS, 802.3ad wanted"]);
    assert.deepEqual(compareBondParams({}, bondParamsFromMaas("")), [], "no params at all read as MAAS's defaults");
});

const bond = (over: Partial<N.BondInputs> = {}): N.BondInputs => ({
    systemId: "abc123",
    hostname: "node01",
    commissionRevision: "abc123/initial/1",
    name: "bond0",
    interfaces: ["eth0", "eth1"],
    mode: "802.3ad",
    mtu: 9000,
    miimon: null,
    updelay: null,
    downdelay: null,
    lacpRate: "fast",
    xmitHashPolicy: "layer3+4",
    ...over,
});

test("bond read-back: parents, mode parameters and effective MTU", () => {
    const iface = { id: 7, name: "bond0", type: "bond", parents: ["eth1", "eth0"], children: [], links: [], tags: [], effective_mtu: 9000, params: maasParams("802.3ad", { bond_xmit_hash_policy: "layer3+4", mtu: 9000 }) };
    assert.deepEqual(compareBond(bond(), iface), []);
    assert.deepEqual(compareBond(bond({ interfaces: ["eth0", "eth2"] }), iface), ["bond bond0: parents [eth0, eth1] in MAAS, [eth0, eth2] wanted"]);
    assert.deepEqual(compareBond(bond({ mtu: 1500 }), iface), ["bond bond0: MTU 9000 in MAAS, 1500 wanted"]);
    assert.deepEqual(compareBond(bond({ mtu: null }), iface), [], "no MTU asked: MAAS's is accepted");
    assert.deepEqual(compareBond(bond(), undefined), ["bond bond0 is not in MAAS"]);
    assert.deepEqual(compareBond(bond(), { ...iface, type: "physical" }), ["bond0 is a physical interface in MAAS, not a bond"]);
});

test("bond diff: writing a parameter the mode ignores, or MAAS's default explicitly, is no change; a real change replaces delete-first", async () => {
    const olds: N.BondOuts = { ...bond({ mode: "balance-rr", lacpRate: null, xmitHashPolicy: null, mtu: null }), revision: "", effective: effectiveBondParams({ mode: "balance-rr" }) };
    olds.revision = bondRevision(olds);
    assert.deepEqual(await diffBond("x", olds, bond({ mode: "balance-rr", lacpRate: "slow", xmitHashPolicy: "layer3+4", mtu: null, miimon: 100 })), { changes: false, replaces: [], deleteBeforeReplace: true });
    assert.deepEqual(await diffBond("x", olds, bond({ mode: "active-backup", lacpRate: null, xmitHashPolicy: null, mtu: null })), { changes: true, replaces: ["mode"], deleteBeforeReplace: true });
    assert.deepEqual(await diffBond("x", olds, bond({ mode: "balance-rr", lacpRate: null, xmitHashPolicy: null, mtu: null, hostname: "node01b" })), { changes: true, replaces: [], deleteBeforeReplace: true });
    assert.deepEqual((await diffBond("x", { ...olds, revision: "drift:1" }, bond({ mode: "balance-rr", lacpRate: null, xmitHashPolicy: null, mtu: null }))).replaces, ["revision"]);
    assert.deepEqual((await diffBond("x", olds, bond({ mode: "balance-rr", lacpRate: null, xmitHashPolicy: null, mtu: null, commissionRevision: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" }))).replaces, ["commissionRevision"]);
});

test("IP in subnet: IPv4 and IPv6, edges of the range, malformed input", () => {
    assert.equal(ipInSubnet("10.0.0.10", "10.0.0.0/24"), true);
    assert.equal(ipInSubnet("10.0.0.0", "10.0.0.0/24"), true);
    assert.equal(ipInSubnet("10.0.0.255", "10.0.0.0/24"), true);
    assert.equal(ipInSubnet("10.0.1.0", "10.0.0.0/24"), false);
    assert.equal(ipInSubnet("192.168.1.77", "192.168.0.0/16"), true);
    assert.equal(ipInSubnet("172.16.5.4", "0.0.0.0/0"), true);
    assert.equal(ipInSubnet("10.0.0.300", "10.0.0.0/24"), false);
    assert.equal(ipInSubnet("10.0.0.1", "not-a-cidr"), false);
    assert.equal(ipInSubnet("2001:db8::1", "2001:db8::/64"), true);
    assert.equal(ipInSubnet("2001:db8:0:1::1", "2001:db8::/64"), false);
    assert.equal(ipInSubnet("10.0.0.1", "2001:db8::/64"), false);
    assert.equal(parseCidr("10.0.0.0/33"), undefined);
    assert.deepEqual(parseCidr("10.0.0.0/24"), { family: 4, network: 0x0a0000n, prefix: 24 });
});

const iface = (over: Partial<Parameters<typeof validateInterface>[0]> = {}) => ({ name: "bond0", vlan: null, mtu: null, subnet: "10.0.0.0/24", ipMode: "static" as const, ipAddress: "10.0.0.10", defaultGateway: false, ...over });

test("interface entries: address in subnet, modes, gateway, VLAN naming", () => {
    assert.deepEqual(validateInterface(iface()), []);
    assert.deepEqual(validateInterface(iface({ ipAddress: "10.0.1.10" })), [{ property: "ipAddress", reason: "bond0: 10.0.1.10 is not in subnet 10.0.0.0/24" }]);
    assert.deepEqual(validateInterface(iface({ ipMode: "dhcp" })), [{ property: "ipAddress", reason: "bond0: an IP address is only used with ip_mode static, not dhcp" }]);
    assert.deepEqual(validateInterface(iface({ ipMode: "auto", subnet: null, ipAddress: null })), [{ property: "subnet", reason: "bond0: ip_mode auto needs a subnet" }]);
    assert.deepEqual(validateInterface(iface({ ipMode: "dhcp", ipAddress: null, defaultGateway: true })), [{ property: "defaultGateway", reason: "bond0: a default gateway needs ip_mode static or auto, not dhcp" }]);
    assert.deepEqual(validateInterface(iface({ subnet: "10.0.0/24" })).map((f) => f.property), ["subnet"]);
    assert.deepEqual(validateInterface(iface({ name: "eth0.100", vlan: { parent: "eth0", vid: 100 }, ipMode: "link_up", subnet: null, ipAddress: null })), []);
    assert.deepEqual(validateInterface(iface({ name: "storage", vlan: { parent: "eth0", vid: 100 }, ipMode: "link_up", subnet: null, ipAddress: null })), [
        { property: "name", reason: 'MAAS names a VLAN interface "<parent>.<vid>": this one will be eth0.100, not storage' },
    ]);
    assert.deepEqual(validateInterface(iface({ name: "eth0.5000", vlan: { parent: "eth0", vid: 5000 }, ipMode: "link_up", subnet: null, ipAddress: null })).map((f) => f.property), ["vlan"]);
});

test("interface read-back: link mode, subnet, address, MTU and default gateway", () => {
    const want: N.InterfaceInputs = { systemId: "abc", hostname: "node01", commissionRevision: "r", parentRevision: "", ...iface({ mtu: 9000, defaultGateway: true }) };
    const subnet = { id: 1, cidr: "10.0.0.0/24" };
    const have = { id: 7, name: "bond0", type: "bond", parents: [], children: [], tags: [], effective_mtu: 9000, links: [{ id: 31, mode: "static", ip_address: "10.0.0.10", subnet }] };
    assert.deepEqual(compareInterface(want, have, [31]), []);
    assert.deepEqual(compareInterface(want, have, []), ["interface bond0: not the machine's default gateway in MAAS"]);
    assert.deepEqual(compareInterface(want, { ...have, effective_mtu: 1500 }, [31]), ["interface bond0: MTU 1500 in MAAS, 9000 wanted"]);
    assert.deepEqual(compareInterface(want, { ...have, links: [{ id: 32, mode: "dhcp", subnet }] }, [31]), ["interface bond0: links [dhcp on 10.0.0.0/24] in MAAS, static on 10.0.0.0/24 (10.0.0.10) wanted"]);
    assert.deepEqual(compareInterface({ ...want, ipMode: "auto", ipAddress: null, defaultGateway: false }, { ...have, links: [{ id: 33, mode: "auto", subnet }] }, []), []);
    assert.deepEqual(compareInterface({ ...want, ipMode: "link_up", subnet: null, ipAddress: null, defaultGateway: false, mtu: null }, { ...have, links: [{ id: 34, mode: "link_up" }] }, []), []);
    assert.deepEqual(compareInterface(want, undefined, []), ["interface bond0 is not in MAAS"]);
});
