// setupFile of the "emulator" project: its tests run against the API emulator even when
// VIGIL_TEST_KUBECONFIG is set for the "kube-apiserver" project in the same run.
delete process.env.VIGIL_TEST_KUBECONFIG;
delete process.env.VIGIL_TEST_SIMULATE_PODS;
