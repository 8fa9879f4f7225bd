// setupFile of the "kube-apiserver" project: points startTestCluster() (and everything that
// reads VIGIL_TEST_KUBECONFIG at import) at the cluster global-setup.ts provided. Runs before
// each test file's imports.
import { inject } from "vitest";

process.env.VIGIL_TEST_KUBECONFIG = inject("vigilTestKubeconfig");
process.env.VIGIL_TEST_SIMULATE_PODS = inject("vigilTestSimulatePods") ? "1" : "0";
