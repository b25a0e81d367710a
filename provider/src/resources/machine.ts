import * as pulumi from "@pulumi/pulumi";
import type { CommissioningSettings, HardwareSummary } from "../runtime/machine";

// The serialized provider stays thin: each method loads the runtime by package name in the provider
// process. It captures nothing else (no client, no credential).
const machineProvider: pulumi.dynamic.ResourceProvider = {
    async configure(req) {
        require("@maas-automation/provider/dist/runtime").configure(req.config);
    },
    async check(olds, news) {
        return require("@maas-automation/provider/dist/runtime").machine.check(olds, news);
    },
    async diff(id, olds, news) {
        return require("@maas-automation/provider/dist/runtime").machine.diff(id, olds, news);
    },
    async create(inputs) {
        return require("@maas-automation/provider/dist/runtime").machine.create(inputs);
    },
    async read(id, props) {
        return require("@maas-automation/provider/dist/runtime").machine.read(id, props);
    },
    async update(id, olds, news) {
        return require("@maas-automation/provider/dist/runtime").machine.update(id, olds, news);
    },
    async delete(id, props) {
        await require("@maas-automation/provider/dist/runtime").machine.remove(id, props);
    },
};

export interface MaasMachineArgs {
    hostname: pulumi.Input<string>;
    /** PXE MAC; required to enlist, optional when adopting. */
    pxeMac?: pulumi.Input<string>;
    architecture?: pulumi.Input<string>;
    powerType?: pulumi.Input<string>;
    /** BMC credentials: pass as a secret. */
    powerParameters?: pulumi.Input<Record<string, pulumi.Input<string>>>;
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
export class MaasMachine extends pulumi.dynamic.Resource {
    declare readonly systemId: pulumi.Output<string>;
    declare readonly hostname: pulumi.Output<string>;
    declare readonly enlistedByStack: pulumi.Output<boolean>;
    declare readonly commissionRevision: pulumi.Output<string>;
    declare readonly hardware: pulumi.Output<HardwareSummary | null>;
    declare readonly health: pulumi.Output<string>;

    constructor(name: string, args: MaasMachineArgs, opts?: pulumi.CustomResourceOptions) {
        const owner = `${pulumi.getProject()}/${pulumi.getStack()}/${name}`;
        super(
            machineProvider,
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
            "maas",
            "Machine",
        );
    }
}
