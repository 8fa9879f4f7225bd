// Explicit stand-ins for the controllers and kubelets a real cluster runs: a test calls
// these to move an object's status the way kube-controller-manager would (nothing happens
// on its own). Each writes through /status with the controller's field manager, so watches
// and resourceVersions behave as on a cluster.
import type { ResourceRegistry } from "./registry.js";
import type { ResourceService } from "./resource-service.js";
import type { ResourceType } from "./resource-type.js";
import { nowRfc3339 } from "./strategy.js";
import type { KubeObject } from "./types.js";

const MANAGER = "kube-controller-manager";

type Status = Record<string, unknown>;

interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason: string;
  message: string;
}

export class ControllerSimulator {
  constructor(
    private readonly registry: ResourceRegistry,
    private readonly service: ResourceService,
  ) {}

  /**
   * The Deployment rolled out: all (or `readyReplicas`) replicas updated, ready and
   * available, observedGeneration caught up, Available and Progressing conditions True.
   */
  setDeploymentReady(namespace: string, name: string, readyReplicas?: number): KubeObject {
    return this.writeStatus("apps", "v1", "deployments", namespace, name, (obj, status) => {
      const replicas = specReplicas(obj);
      const ready = readyReplicas ?? replicas;
      const available = ready >= replicas;
      return {
        ...status,
        observedGeneration: obj.metadata?.generation,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: ready,
        availableReplicas: ready,
        ...(replicas - ready > 0 ? { unavailableReplicas: replicas - ready } : {}),
        conditions: this.conditions(status, [
          available
            ? {
                type: "Available",
                status: "True",
                reason: "MinimumReplicasAvailable",
                message: "Deployment has minimum availability.",
              }
            : {
                type: "Available",
                status: "False",
                reason: "MinimumReplicasUnavailable",
                message: "Deployment does not have minimum availability.",
              },
          available
            ? {
                type: "Progressing",
                status: "True",
                reason: "NewReplicaSetAvailable",
                message: `ReplicaSet "${name}" has successfully progressed.`,
              }
            : {
                type: "Progressing",
                status: "True",
                reason: "ReplicaSetUpdated",
                message: `ReplicaSet "${name}" is progressing.`,
              },
        ]),
      };
    });
  }

  /** A rollout in progress: observedGeneration caught up, `updatedReplicas` of the new template so far, none ready. */
  setDeploymentProgressing(namespace: string, name: string, updatedReplicas = 0): KubeObject {
    return this.writeStatus("apps", "v1", "deployments", namespace, name, (obj, status) => {
      const replicas = specReplicas(obj);
      return {
        ...status,
        observedGeneration: obj.metadata?.generation,
        replicas,
        updatedReplicas,
        unavailableReplicas: replicas,
        conditions: this.conditions(status, [
          {
            type: "Available",
            status: "False",
            reason: "MinimumReplicasUnavailable",
            message: "Deployment does not have minimum availability.",
          },
          {
            type: "Progressing",
            status: "True",
            reason: "ReplicaSetUpdated",
            message: `ReplicaSet "${name}" is progressing.`,
          },
        ]),
      };
    });
  }

  /** The rollout stalled past progressDeadlineSeconds: Progressing False / ProgressDeadlineExceeded. */
  setDeploymentProgressDeadlineExceeded(namespace: string, name: string): KubeObject {
    return this.writeStatus("apps", "v1", "deployments", namespace, name, (obj, status) => ({
      ...status,
      observedGeneration: obj.metadata?.generation,
      conditions: this.conditions(status, [
        {
          type: "Progressing",
          status: "False",
          reason: "ProgressDeadlineExceeded",
          message: `ReplicaSet "${name}" has timed out progressing.`,
        },
      ]),
    }));
  }

  setStatefulSetReady(namespace: string, name: string, readyReplicas?: number): KubeObject {
    return this.writeStatus("apps", "v1", "statefulsets", namespace, name, (obj, status) => {
      const replicas = specReplicas(obj);
      const ready = readyReplicas ?? replicas;
      return {
        ...status,
        observedGeneration: obj.metadata?.generation,
        replicas,
        readyReplicas: ready,
        currentReplicas: replicas,
        updatedReplicas: replicas,
        availableReplicas: ready,
      };
    });
  }

  /** The Job's pod is running. */
  startJob(namespace: string, name: string): KubeObject {
    return this.writeStatus("batch", "v1", "jobs", namespace, name, (_obj, status) => ({
      ...status,
      startTime: status.startTime ?? nowRfc3339(),
      active: 1,
      ready: 1,
    }));
  }

  /** The Job succeeded: SuccessCriteriaMet and Complete conditions, as Kubernetes 1.31+ reports. */
  completeJob(namespace: string, name: string): KubeObject {
    return this.writeStatus("batch", "v1", "jobs", namespace, name, (obj, status) => {
      const now = nowRfc3339();
      const { active: _a, ready: _r, ...rest } = status;
      return {
        ...rest,
        startTime: status.startTime ?? now,
        completionTime: now,
        succeeded: ((obj.spec as Status | undefined)?.completions as number | undefined) ?? 1,
        ready: 0,
        conditions: this.conditionList(status, [
          {
            type: "SuccessCriteriaMet",
            status: "True",
            reason: "CompletionsReached",
            message: "Reached expected number of succeeded pods",
          },
          {
            type: "Complete",
            status: "True",
            reason: "CompletionsReached",
            message: "Reached expected number of succeeded pods",
          },
        ]),
      };
    });
  }

  /** The Job failed for good (default reason BackoffLimitExceeded): FailureTarget and Failed conditions. */
  failJob(namespace: string, name: string, reason = "BackoffLimitExceeded"): KubeObject {
    return this.writeStatus("batch", "v1", "jobs", namespace, name, (_obj, status) => {
      const { active: _a, ready: _r, ...rest } = status;
      const message =
        reason === "BackoffLimitExceeded" ? "Job has reached the specified backoff limit" : reason;
      return {
        ...rest,
        startTime: status.startTime ?? nowRfc3339(),
        failed: ((status.failed as number | undefined) ?? 0) + 1,
        ready: 0,
        conditions: this.conditionList(status, [
          { type: "FailureTarget", status: "True", reason, message },
          { type: "Failed", status: "True", reason, message },
        ]),
      };
    });
  }

  /** What the CronJob controller does at a scheduled time: a Job from the template, owned by the CronJob. */
  runCronJob(namespace: string, name: string): KubeObject {
    const cronJobs = this.type("batch", "v1", "cronjobs");
    const cron = this.service.get(cronJobs, namespace, name);
    const template = ((cron.spec as Status | undefined)?.jobTemplate ?? {}) as {
      metadata?: KubeObject["metadata"];
      spec?: unknown;
    };
    const stamp = Math.floor(Date.now() / 60000);
    const job = this.service.create(
      this.type("batch", "v1", "jobs"),
      namespace,
      {
        metadata: {
          ...template.metadata,
          name: `${name}-${stamp}`,
          labels: { ...template.metadata?.labels },
          annotations: {
            ...template.metadata?.annotations,
            "batch.kubernetes.io/cronjob-scheduled-timestamp": nowRfc3339(),
          },
          ownerReferences: [
            {
              apiVersion: "batch/v1",
              kind: "CronJob",
              name,
              uid: cron.metadata!.uid!,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: structuredClone(template.spec ?? {}),
      },
      { manager: MANAGER },
    ).object;
    this.writeStatus("batch", "v1", "cronjobs", namespace, name, (_obj, status) => ({
      ...status,
      lastScheduleTime: nowRfc3339(),
      active: [
        {
          apiVersion: "batch/v1",
          kind: "Job",
          name: job.metadata!.name,
          namespace,
          uid: job.metadata!.uid,
          resourceVersion: job.metadata!.resourceVersion,
        },
      ],
    }));
    return job;
  }

  setHorizontalPodAutoscalerStatus(
    namespace: string,
    name: string,
    currentReplicas: number,
    desiredReplicas = currentReplicas,
  ): KubeObject {
    return this.writeStatus(
      "autoscaling",
      "v2",
      "horizontalpodautoscalers",
      namespace,
      name,
      (obj, status) => ({
        ...status,
        observedGeneration: obj.metadata?.generation,
        currentReplicas,
        desiredReplicas,
        lastScaleTime: nowRfc3339(),
        conditions: this.conditions(status, [
          {
            type: "AbleToScale",
            status: "True",
            reason: "ReadyForNewScale",
            message: "recommended size matches current size",
          },
          {
            type: "ScalingActive",
            status: "True",
            reason: "ValidMetricFound",
            message: "the HPA was able to successfully calculate a replica count",
          },
        ]),
      }),
    );
  }

  setPersistentVolumeClaimBound(namespace: string, name: string, capacity = "1Gi"): KubeObject {
    return this.writeStatus("", "v1", "persistentvolumeclaims", namespace, name, (obj, status) => ({
      ...status,
      phase: "Bound",
      accessModes: (obj.spec as Status | undefined)?.accessModes ?? ["ReadWriteOnce"],
      capacity: { storage: capacity },
    }));
  }

  /** A pod phase change, as the kubelet would report it. */
  setPodPhase(
    namespace: string,
    name: string,
    phase: "Pending" | "Running" | "Succeeded" | "Failed",
    ready = phase === "Running",
  ): KubeObject {
    return this.writeStatus("", "v1", "pods", namespace, name, (_obj, status) => ({
      ...status,
      phase,
      podIP: status.podIP ?? `10.244.0.${Math.floor(Math.random() * 250) + 2}`,
      conditions: this.conditions(status, [
        {
          type: "Ready",
          status: ready ? "True" : "False",
          reason: ready ? "PodReady" : "PodNotReady",
          message: "",
        },
      ]).map(({ lastUpdateTime, ...c }) => ({ ...c, lastProbeTime: lastUpdateTime })),
    }));
  }

  /** Any other status change: merges `status` into the object's status through /status. */
  mergeStatus(
    apiVersion: string,
    plural: string,
    namespace: string | undefined,
    name: string,
    status: Status,
  ): KubeObject {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    return this.writeStatus(group!, version!, plural, namespace, name, (_obj, current) => ({
      ...current,
      ...status,
    }));
  }

  private type(group: string, version: string, plural: string): ResourceType {
    const t = this.registry.byResource(group, version, plural);
    if (!t) throw new Error(`simulate: ${plural}.${group}/${version} is not served`);
    return t;
  }

  private writeStatus(
    group: string,
    version: string,
    plural: string,
    namespace: string | undefined,
    name: string,
    next: (obj: KubeObject, status: Status) => Status,
  ): KubeObject {
    const type = this.type(group, version, plural);
    const obj = this.service.get(type, namespace, name);
    const status = next(obj, { ...((obj.status as Status | undefined) ?? {}) });
    return this.service.update(
      type,
      namespace,
      name,
      { ...obj, status },
      { manager: MANAGER, subresource: "status" },
    ).object;
  }

  /** Conditions with these types replaced; lastTransitionTime kept when the status did not change. */
  private conditions(
    status: Status,
    updates: Condition[],
  ): (Condition & { lastTransitionTime: string; lastUpdateTime: string })[] {
    const now = nowRfc3339();
    const existing =
      (status.conditions as
        (Condition & { lastTransitionTime?: string; lastUpdateTime?: string })[] | undefined) ?? [];
    const out = existing
      .filter((c) => !updates.some((u) => u.type === c.type))
      .map((c) => ({
        ...c,
        lastTransitionTime: c.lastTransitionTime ?? now,
        lastUpdateTime: c.lastUpdateTime ?? now,
      }));
    for (const u of updates) {
      const prev = existing.find((c) => c.type === u.type);
      out.push({
        ...u,
        lastUpdateTime: now,
        lastTransitionTime: prev && prev.status === u.status ? (prev.lastTransitionTime ?? now) : now,
      });
    }
    return out;
  }

  /** Job conditions carry lastProbeTime instead of lastUpdateTime. */
  private conditionList(status: Status, updates: Condition[]): object[] {
    return this.conditions(status, updates).map(({ lastUpdateTime, ...c }) => ({
      ...c,
      lastProbeTime: lastUpdateTime,
    }));
  }
}

function specReplicas(obj: KubeObject): number {
  const replicas = (obj.spec as Status | undefined)?.replicas;
  return typeof replicas === "number" ? replicas : 1;
}
