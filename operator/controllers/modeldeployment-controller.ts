// ModelDeployment status says which revision serves, and that is decided by the
// ModerationServices using the model (their status names the revision Deployment they serve).
// The controller is keyed by ModelDeployment; every event on a service (its status included)
// reaches the model it references, or referenced before the event, so a service that switched
// models or went away updates both. A model nothing references is Pending (NotReferenced).
import type { ControllerDefinition, ReconcileContext, ReconcileOutcome } from "../core/controller.js";
import { Kinds } from "../core/kinds.js";
import { revisionHash } from "../desired/index.js";
import type { LiveModelDeployment, LiveModerationService } from "./live-objects.js";
import { computeModelStatus } from "./modeldeployment-status.js";
import { servicesOfModel, usersOfModel } from "./references.js";
import { CONFLICT_REQUEUE_MS, writeStatus } from "./status-write.js";

async function syncModelStatus(ctx: ReconcileContext, model: LiveModelDeployment): Promise<boolean> {
  const namespace = model.metadata?.namespace ?? "";
  const services = ctx.cache<LiveModerationService>(Kinds.ModerationService);
  const status = computeModelStatus({
    model,
    specHash: revisionHash(model),
    users: usersOfModel(services, namespace, model.metadata?.name ?? ""),
    now: ctx.clock.now(),
  });
  const outcome = await writeStatus(ctx.client, Kinds.ModelDeployment, model, status);
  const before = model.status?.activeRevision;
  const after = status.activeRevision;
  if (outcome === "written" && after && before?.hash !== after.hash) {
    ctx.recorder.record(
      model,
      "Normal",
      "RevisionActive",
      `revision ${after.hash} (${after.version}) now serves` +
        (before ? `, replacing ${before.hash} (${before.version})` : ""),
    );
  }
  return outcome !== "conflict";
}

export const modelDeploymentController: ControllerDefinition<LiveModelDeployment> = {
  name: "modeldeployment",
  for: Kinds.ModelDeployment,
  watches: [servicesOfModel],
  async reconcile(_key, ctx): Promise<ReconcileOutcome | void> {
    const model = ctx.cache<LiveModelDeployment>(Kinds.ModelDeployment).get(ctx.name, ctx.namespace);
    if (!model) return;
    if (!(await syncModelStatus(ctx, model))) return { requeueAfterMs: CONFLICT_REQUEUE_MS };
  },
};
