// Everything the dynamic providers do, loaded by package name inside the provider process
// (`require("@maas-automation/provider/dist/runtime")`), so it is one module instance per process: one
// client, one fleet-wide watcher. Nothing here is serialized into the stack's state.
import * as storageModule from "./storage";
import * as networkModule from "./network";
import { withRedeployGate } from "./gate";

export { configure } from "./config";
export * as machine from "./machine";
export * as deployment from "./deployment";
export const storage = { ...storageModule, check: withRedeployGate("storage layout", storageModule) };
export const network = {
    ...networkModule,
    checkBond: withRedeployGate("bond", { check: networkModule.checkBond, diff: networkModule.diffBond }),
    checkInterface: withRedeployGate("interface", { check: networkModule.checkInterface, diff: networkModule.diffInterface }),
};
