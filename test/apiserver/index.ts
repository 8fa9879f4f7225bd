// Public entry point of the Kubernetes API emulator used by Vigil's tests. See test/README.md.
export { ApiServerEmulator, type ApiServerEmulatorOptions } from "./emulator.js";
export {
  startTestCluster,
  SIMULATE_PODS_ENV,
  type TestCluster,
  type TestClusterOptions,
  type WorkloadSimulator,
} from "./cluster.js";
export { FaultInjector, type FailNextOptions, type RequestMatcher } from "./faults.js";
export { ControllerSimulator } from "./simulate.js";
export type {
  KubeObject,
  ObjectMeta,
  OwnerReference,
  ManagedFieldsEntry,
  RecordedRequest,
  Verb,
} from "./types.js";
export { verticalPodAutoscalerCrd } from "./known-crds.js";
