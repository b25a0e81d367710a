// Everything the dynamic providers do, loaded by package name inside the provider process
// (`require("@maas-automation/provider/dist/runtime")`), so it is one module instance per process: one
// client, one fleet-wide watcher. Nothing here is serialized into the stack's state.
import * as machine from "./machine";
import * as deployment from "./deployment";
import * as storageModule from "./storage";
import * as network_ from "./network";
import * as fleet from "./fleet-guard";
import { configure } from "./config";
import { withRedeployGate } from "./gate";
import type { ResourceKind } from "../resources/thin-provider";

export { configure };

const storage = { ...storageModule, check: withRedeployGate("storage layout", storageModule) };

// Resources keep the provider code of their last create/update in state, and delete/read run that
// code: these names are what earlier provider code calls (`configure`, `resources[kind].*`,
// `machine`, `deployment`, `storage`, `network`), so they stay.
export { machine, deployment, storage };
export const network = { ...network_, checkBond: gatedBondCheck(), checkInterface: gatedInterfaceCheck() };

/** What resources/thin-provider.ts calls, by resource kind. */
export const resources = {
    machine,
    deployment,
    storage,
    bond: {
        check: network.checkBond,
        diff: network.diffBond,
        create: network.createBond,
        read: network.readBond,
        update: network.updateBond,
        remove: network.removeBond,
    },
    interface: {
        check: network.checkInterface,
        diff: network.diffInterface,
        create: network.createInterface,
        read: network.readInterface,
        update: network.updateInterface,
        remove: network.removeInterface,
    },
    fleet,
};

type Methods = (typeof resources)[ResourceKind];

/** The dynamic provider of one resource kind, as the one-line provider code in the state asks for it. */
export function provider(kind: ResourceKind) {
    const r: Methods = resources[kind];
    return {
        configure: async (req: { config: { get(key: string): string | undefined } }) => configure(req.config),
        check: r.check,
        diff: r.diff,
        create: r.create,
        read: r.read,
        update: r.update,
        delete: r.remove,
    };
}

function gatedBondCheck() {
    return withRedeployGate("bond", { check: network_.checkBond, diff: network_.diffBond });
}

function gatedInterfaceCheck() {
    return withRedeployGate("interface", { check: network_.checkInterface, diff: network_.diffInterface });
}
