// Everything the dynamic providers do, loaded by package name inside the provider process
// (`require("@maas-automation/provider/dist/runtime")`), so it is one module instance per process: one
// client, one fleet-wide watcher. Nothing here is serialized into the stack's state.
import * as machine from "./machine";
import * as deployment from "./deployment";
import * as storageModule from "./storage";
import * as network_ from "./network";
import { withRedeployGate } from "./gate";

export { configure } from "./config";

const storage = { ...storageModule, check: withRedeployGate("storage layout", storageModule) };

// Resources keep the provider code of their last create/update in state, and delete/read run that
// code: these names are what earlier provider code calls, so they stay.
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
};

function gatedBondCheck() {
    return withRedeployGate("bond", { check: network_.checkBond, diff: network_.diffBond });
}

function gatedInterfaceCheck() {
    return withRedeployGate("interface", { check: network_.checkInterface, diff: network_.diffInterface });
}
