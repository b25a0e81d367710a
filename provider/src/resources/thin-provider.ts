import * as pulumi from "@pulumi/pulumi";

/** The resource kinds the runtime serves (`runtime.resources[kind]`). */
export type ResourceKind = "machine" | "deployment" | "storage" | "bond" | "interface";

/**
 * The provider object the engine serializes into every resource's state. It captures nothing but the
 * kind: each method loads the compiled runtime by package name inside the provider process, so the
 * code in state stays small, holds no credential, and one runtime instance (one client, one
 * fleet-wide watcher) serves every resource of the deployment.
 */
export function thinProvider(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
    return {
        async configure(req) {
            require("@maas-automation/provider/dist/runtime").configure(req.config);
        },
        async check(olds, news) {
            return require("@maas-automation/provider/dist/runtime").resources[kind].check(olds, news);
        },
        async diff(id, olds, news) {
            return require("@maas-automation/provider/dist/runtime").resources[kind].diff(id, olds, news);
        },
        async create(inputs) {
            return require("@maas-automation/provider/dist/runtime").resources[kind].create(inputs);
        },
        async read(id, props) {
            return require("@maas-automation/provider/dist/runtime").resources[kind].read(id, props);
        },
        async update(id, olds, news) {
            return require("@maas-automation/provider/dist/runtime").resources[kind].update(id, olds, news);
        },
        async delete(id, props) {
            await require("@maas-automation/provider/dist/runtime").resources[kind].remove(id, props);
        },
    };
}
