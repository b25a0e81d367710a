import * as pulumi from "@pulumi/pulumi";
import type { RedeployPolicy } from "../runtime/deployment";

/** What a resource may do when its change needs a release and redeploy: preview warns, up obeys. */
export function redeployPolicy(allowRedeploy: boolean | undefined): RedeployPolicy {
    return pulumi.runtime.isDryRun() ? "preview" : allowRedeploy ? "allow" : "refuse";
}
