import * as pulumi from "@pulumi/pulumi";
import { MaasResource } from "./thin-provider";
import type { EffectiveBondParams } from "../runtime/network";

export type BondModeArg = "balance-rr" | "active-backup" | "balance-xor" | "broadcast" | "802.3ad" | "balance-tlb" | "balance-alb";

export interface MaasBondArgs {
    systemId: pulumi.Input<string>;
    hostname: pulumi.Input<string>;
    /** The machine's commissionRevision: a re-commission resets MAAS's interfaces, so a change re-applies. */
    commissionRevision: pulumi.Input<string>;
    name: pulumi.Input<string>;
    /** Parent NIC names (the first one's MAC becomes the bond's). */
    interfaces: pulumi.Input<pulumi.Input<string>[]>;
    /** Default balance-rr, as MAAS. */
    mode?: pulumi.Input<BondModeArg>;
    mtu?: pulumi.Input<number>;
    /** All modes; MAAS default 100. */
    miimon?: pulumi.Input<number>;
    /** All modes; MAAS default 0. */
    updelay?: pulumi.Input<number>;
    /** All modes; MAAS default 0. */
    downdelay?: pulumi.Input<number>;
    /** 802.3ad only ("fast" | "slow"); MAAS default fast. */
    lacpRate?: pulumi.Input<"fast" | "slow">;
    /** balance-xor, 802.3ad and balance-tlb only; MAAS default layer2. */
    xmitHashPolicy?: pulumi.Input<"layer2" | "layer2+3" | "layer3+4" | "encap2+3" | "encap3+4">;
}

/** A bond on a machine. Any change replaces it delete-first; destroying it leaves MAAS's bond in place. */
export class MaasBond extends MaasResource {
    declare readonly revision: pulumi.Output<string>;
    declare readonly effective: pulumi.Output<EffectiveBondParams>;
    declare readonly name: pulumi.Output<string>;

    constructor(name: string, args: MaasBondArgs, opts?: pulumi.CustomResourceOptions) {
        super("bond", "Bond", name, { ...args, revision: undefined, effective: undefined }, opts);
    }
}

export interface MaasInterfaceArgs {
    systemId: pulumi.Input<string>;
    hostname: pulumi.Input<string>;
    commissionRevision: pulumi.Input<string>;
    /** A NIC, bond or VLAN interface name; a VLAN interface is named "<parent>.<vid>" by MAAS. */
    name: pulumi.Input<string>;
    /** Creates the VLAN interface on the parent when absent (the VLAN must exist on the parent's fabric). */
    vlan?: pulumi.Input<{ parent: pulumi.Input<string>; vid: pulumi.Input<number> }>;
    mtu?: pulumi.Input<number>;
    /** CIDR of the subnet to link, e.g. "10.0.0.0/24". */
    subnet?: pulumi.Input<string>;
    /** Default: auto with a subnet, link_up without. */
    ipMode?: pulumi.Input<"static" | "dhcp" | "auto" | "link_up">;
    /** static only; checked to lie in the subnet. */
    ipAddress?: pulumi.Input<string>;
    /** static or auto only. */
    defaultGateway?: pulumi.Input<boolean>;
    /** Pass the bond's `revision` when this is a bond (or a VLAN on one): a new bond re-applies the links. */
    parentRevision?: pulumi.Input<string>;
}

/** One interface's MTU, VLAN and subnet link. Any change replaces it delete-first; destroy leaves MAAS as it is. */
export class MaasInterface extends MaasResource {
    declare readonly revision: pulumi.Output<string>;
    declare readonly name: pulumi.Output<string>;

    constructor(name: string, args: MaasInterfaceArgs, opts?: pulumi.CustomResourceOptions) {
        super("interface", "Interface", name, { ...args, revision: undefined }, opts);
    }
}
