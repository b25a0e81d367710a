import * as pulumi from "@pulumi/pulumi";

/** The resource kinds the runtime serves (`runtime.provider(kind)`). */
export type ResourceKind = "machine" | "deployment" | "storage" | "bond" | "interface" | "fleet";

/**
 * The provider as the engine stores it with every resource: one line that loads this package's
 * compiled runtime by name inside the provider process. The code lives in the package, the state only
 * names it, so a resource's state stays small, holds no credential, and one runtime instance (one
 * client, one fleet-wide watcher) serves every resource of the deployment. The dynamic-provider host
 * runs it as `require(<this text>).handler()`.
 */
export function providerSource(kind: ResourceKind): string {
    return `exports.handler = () => require("@maas-automation/provider/dist/runtime").provider(${JSON.stringify(kind)});\n`;
}

/**
 * A Pulumi dynamic resource of this package: the engine's type `pulumi-nodejs:dynamic/maas:<type>`
 * (what `pulumi.dynamic.Resource` registers), with the one-line provider of its kind.
 */
export abstract class MaasResource extends pulumi.CustomResource {
    protected constructor(kind: ResourceKind, type: string, name: string, props: pulumi.Inputs, opts?: pulumi.CustomResourceOptions) {
        super(`pulumi-nodejs:dynamic/maas:${type}`, name, { ...props, __provider: providerSource(kind) }, opts);
    }
}
