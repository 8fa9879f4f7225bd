// A revision is one model + hardware combination with its own Deployment (`<service>-<hash>`),
// labelled with its hash. Which revision serves, and when traffic moves, is the rollout state
// machine's decision (rollout/state-machine.ts).
import { LABEL } from "../desired/index.js";
import type { LiveDeployment } from "./live-objects.js";

export function revisionOfDeployment(deployment: LiveDeployment): string | undefined {
  return deployment.metadata?.labels?.[LABEL.revision];
}
