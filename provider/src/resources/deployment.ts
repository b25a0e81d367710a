import * as pulumi from "@pulumi/pulumi";
import { MaasResource } from "./thin-provider";
import type { ReleaseOptions } from "../runtime/deployment";


export interface MaasDeploymentArgs {
    systemId: pulumi.Input<string>;
    hostname: pulumi.Input<string>;
    distroSeries?: pulumi.Input<string>;
    hweKernel?: pulumi.Input<string>;
    /** cloud-init user data (plain text; the client base64-encodes it). */
    userData?: pulumi.Input<string>;
    /** Seconds (default 1800). */
    deployTimeoutS?: pulumi.Input<number>;
    waitDeployment?: pulumi.Input<boolean>;
    release?: pulumi.Input<Partial<ReleaseOptions>>;
    /** Revisions of the storage layout / network applied before this deployment. */
    revisions?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    reprovision?: pulumi.Input<string>;
}

/** An operating system deployed on a machine; destroying it releases the machine (disk erase by default). */
export class MaasDeployment extends MaasResource {
    declare readonly deployed: pulumi.Output<boolean>;
    declare readonly ipAddresses: pulumi.Output<string[]>;
    declare readonly systemId: pulumi.Output<string>;

    constructor(name: string, args: MaasDeploymentArgs, opts?: pulumi.CustomResourceOptions) {
        const owner = `${pulumi.getProject()}/${pulumi.getStack()}/${name}`;
        super("deployment", "Deployment", name, { ...args, owner, deployed: undefined, ipAddresses: undefined, marker: undefined }, { ...opts, additionalSecretOutputs: ["userData"] });
    }
}
