import * as pulumi from "@pulumi/pulumi";
import { MaasResource } from "./thin-provider";

export interface MaasFleetMemberArgs {
    hostname: string;
    /** True when the stack enlists the machine (removing it deletes it from MAAS), false when it adopts it. */
    enlisted: boolean;
}

export interface MaasFleetArgs {
    /**
     * Every machine of the program, by its MaasMachine resource name. Plain values on purpose: the
     * list must not depend on the machines, or a run targeting some of them would need all of them.
     */
    machines: Record<string, MaasFleetMemberArgs>;
}

/**
 * The list of machines a program declares, kept in the state. The engine plans the deletion of a
 * machine that left the program without asking any provider; this resource's check sees it leave and
 * applies the destructive-change policy in preview (a deployed machine's removal, which releases it
 * with disk erase, is refused unless `maas:allowRedeploy` is set). It changes nothing in MAAS.
 */
export class MaasFleet extends MaasResource {
    declare readonly machines: pulumi.Output<Record<string, { hostname: string; enlisted: boolean; owner: string }>>;

    constructor(name: string, args: MaasFleetArgs, opts?: pulumi.CustomResourceOptions) {
        const prefix = `${pulumi.getProject()}/${pulumi.getStack()}/`;
        const machines = Object.fromEntries(Object.entries(args.machines).map(([key, m]) => [key, { ...m, owner: prefix + key }]));
        super("fleet", "Fleet", name, { machines }, opts);
    }
}
