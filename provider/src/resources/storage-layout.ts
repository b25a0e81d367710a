import * as pulumi from "@pulumi/pulumi";
import { MaasResource } from "./thin-provider";
import type { CurtinStorageConfig, ResolvedLayout } from "../runtime/layout-math";


export interface StorageDiskArgs {
    /** "sda" or "/dev/sda". */
    name?: pulumi.Input<string>;
    serial?: pulumi.Input<string>;
    /** The machine's boot disk (the default when neither name nor serial is given). */
    bootDisk?: pulumi.Input<boolean>;
}

export interface StoragePartitionArgs {
    /** Bytes (MAAS rounds down to 4 MiB; so does the provider before comparing), or "rest". */
    size: pulumi.Input<number | "rest">;
    fs?: pulumi.Input<string>;
    mount?: pulumi.Input<string>;
    bootable?: pulumi.Input<boolean>;
    label?: pulumi.Input<string>;
}

export interface StorageLogicalVolumeArgs {
    name: pulumi.Input<string>;
    size: pulumi.Input<number | "rest">;
    fs?: pulumi.Input<string>;
    mount?: pulumi.Input<string>;
}

export interface StorageVolumeGroupArgs {
    name: pulumi.Input<string>;
    /** Indexes (from 0) into `partitions`. */
    partitions: pulumi.Input<pulumi.Input<number>[]>;
    logicalVolumes: pulumi.Input<pulumi.Input<StorageLogicalVolumeArgs>[]>;
}

export interface MaasStorageLayoutArgs {
    systemId: pulumi.Input<string>;
    hostname: pulumi.Input<string>;
    /** The machine's commissionRevision: a re-commission resets MAAS's storage, so a change re-applies the layout. */
    commissionRevision: pulumi.Input<string>;
    disk: pulumi.Input<StorageDiskArgs>;
    /** Make the target disk MAAS's boot disk (set_boot_disk). */
    setBootDisk?: pulumi.Input<boolean>;
    partitions: pulumi.Input<pulumi.Input<StoragePartitionArgs>[]>;
    volumeGroups?: pulumi.Input<pulumi.Input<StorageVolumeGroupArgs>[]>;
}

/**
 * A machine's whole storage layout, applied as a unit on the Ready machine and read back. Any change
 * replaces it delete-first (so a deployed machine's deployment is released first); destroying it
 * leaves MAAS's layout in place.
 */
export class MaasStorageLayout extends MaasResource {
    declare readonly revision: pulumi.Output<string>;
    declare readonly applied: pulumi.Output<ResolvedLayout>;
    declare readonly curtin: pulumi.Output<CurtinStorageConfig>;
    declare readonly systemId: pulumi.Output<string>;

    constructor(name: string, args: MaasStorageLayoutArgs, opts?: pulumi.CustomResourceOptions) {
        super("storage", "StorageLayout", name, { setBootDisk: false, volumeGroups: [], ...args, revision: undefined, applied: undefined, curtin: undefined }, opts);
    }
}
