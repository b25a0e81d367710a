// Everything the dynamic providers do, loaded by package name inside the provider process
// (`require("@maas-automation/provider/dist/runtime")`), so it is one module instance per process: one
// client, one fleet-wide watcher. Nothing here is serialized into the stack's state.
export { configure } from "./config";
export * as machine from "./machine";
export * as deployment from "./deployment";
