// The controllers the `moderation-operator` process runs, in one readable list.
import type { ControllerDefinition } from "../core/controller.js";

// The ModerationService, ModelDeployment and Policy reconcilers are registered here by the
// next issue; until then the operator runs its caches, leader election and probes only.
export const controllers: ControllerDefinition[] = [];
