// ModelDeployment status says which revision serves, and that is decided by the
// ModerationServices using the model (their status names the revision Deployment they
// serve). So this controller is keyed by ModerationService: every change of a service, its
// status included, re-derives the status of the ModelDeployments in the service's namespace,
// which also covers a service that was deleted or switched models. A ModelDeployment change
// reaches it through the services that reference the model.
//
// A ModelDeployment in a namespace without any ModerationService gets no status: nothing
// there can use it, and no service event arrives to derive one.
import type { ControllerDefinition, ReconcileContext, ReconcileOutcome } from "../core/controller.js";
import { Kinds } from "../core/kinds.js";
import { revisionHash } from "../desired/index.js";
import type { LiveModelDeployment, LiveModerationService } from "./live-objects.js";
import { computeModelStatus } from "./modeldeployment-status.js";
import { modelDeploymentReference, usersOfModel } from "./references.js";
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

export const modelDeploymentController: ControllerDefinition<LiveModerationService> = {
  name: "modeldeployment",
  for: Kinds.ModerationService,
  references: [modelDeploymentReference("modeldeployment/spec.modelRef")],
  async reconcile(_key, ctx): Promise<ReconcileOutcome | void> {
    let conflicted = false;
    for (const model of ctx.cache<LiveModelDeployment>(Kinds.ModelDeployment).list(ctx.namespace)) {
      conflicted = !(await syncModelStatus(ctx, model)) || conflicted;
    }
    if (conflicted) return { requeueAfterMs: CONFLICT_REQUEUE_MS };
  },
};
