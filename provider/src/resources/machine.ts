import * as pulumi from "@pulumi/pulumi";
import { MaasResource } from "./thin-provider";
import type { CommissioningSettings, HardwareSummary } from "../runtime/machine";


export interface MaasMachineArgs {
    hostname: pulumi.Input<string>;
    /** PXE MAC; required to enlist, optional when adopting. */
    pxeMac?: pulumi.Input<string>;
    architecture?: pulumi.Input<string>;
    powerType?: pulumi.Input<string>;
    /** BMC credentials: pass as a secret, or sealed with `sealPowerParameters` (kept out of verbose engine logs). */
    powerParameters?: pulumi.Input<Record<string, pulumi.Input<string>> | string>;
    adopt?: pulumi.Input<boolean>;
    commissionOnAdopt?: pulumi.Input<boolean>;
    commissioning?: pulumi.Input<Partial<CommissioningSettings>>;
    /** Seconds (default 1200). */
    commissionTimeoutS?: pulumi.Input<number>;
    waitCommissioning?: pulumi.Input<boolean>;
    bios?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** Re-commissions the machine whenever it changes. */
    commissionToken?: pulumi.Input<string>;
}

/** A machine in MAAS: enlisted (or adopted), power configured, commissioned to Ready. */
export class MaasMachine extends MaasResource {
    declare readonly systemId: pulumi.Output<string>;
    declare readonly hostname: pulumi.Output<string>;
    declare readonly enlistedByStack: pulumi.Output<boolean>;
    declare readonly commissionRevision: pulumi.Output<string>;
    declare readonly hardware: pulumi.Output<HardwareSummary | null>;
    declare readonly health: pulumi.Output<string>;

    constructor(name: string, args: MaasMachineArgs, opts?: pulumi.CustomResourceOptions) {
        const owner = `${pulumi.getProject()}/${pulumi.getStack()}/${name}`;
        super(
            "machine",
            "Machine",
            name,
            {
                ...args,
                owner,
                systemId: undefined,
                enlistedByStack: undefined,
                commissionRevision: undefined,
                hardware: undefined,
                health: undefined,
            },
            { ...opts, additionalSecretOutputs: ["powerParameters"] },
        );
    }
}
