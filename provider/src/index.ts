export { MaasMachine, MaasMachineArgs } from "./resources/machine";
export { MaasDeployment, MaasDeploymentArgs } from "./resources/deployment";
export { PROGRESS_PREFIX, ProgressEvent, parseProgressLine } from "./runtime/progress";
export { MaasStorageLayout, MaasStorageLayoutArgs } from "./resources/storage-layout";
export { MaasBond, MaasBondArgs, MaasInterface, MaasInterfaceArgs } from "./resources/network";
export { sealJson as sealPowerParameters } from "./runtime/seal";
export { MaasFleet, MaasFleetArgs, MaasFleetMemberArgs } from "./resources/fleet";
