// vitest globalSetup of the "kube-apiserver" project: one control plane for the whole run,
// handed to the test files through provide()/inject() (see env-setup.ts). With
// VIGIL_TEST_KUBECONFIG already set, the project runs against that cluster and starts nothing.
import type { TestProject } from "vitest/node";
import { startControlPlane } from "./control-plane.js";

declare module "vitest" {
  export interface ProvidedContext {
    vigilTestKubeconfig: string;
    vigilTestSimulatePods: boolean;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.VIGIL_TEST_KUBECONFIG;
  if (external) {
    project.provide("vigilTestKubeconfig", external);
    project.provide("vigilTestSimulatePods", process.env.VIGIL_TEST_SIMULATE_PODS === "1");
    return async () => {};
  }
  const started = Date.now();
  const controlPlane = await startControlPlane();
  console.log(
    `kube-apiserver project: control plane at ${controlPlane.server} ready in ${Date.now() - started} ms (logs: ${controlPlane.dir})`,
  );
  project.provide("vigilTestKubeconfig", controlPlane.kubeconfigPath);
  project.provide("vigilTestSimulatePods", true);
  return () => controlPlane.stop();
}
