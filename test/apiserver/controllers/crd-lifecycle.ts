// The apiextensions controllers: a CustomResourceDefinition's resources are served as soon
// as it is stored; deleting it (the apiserver adds the `customresourcecleanup` finalizer)
// deletes every custom resource of it, then the finalizer goes and the resource stops being
// served.
import { CRD_CLEANUP_FINALIZER, type Deleter } from "../deletion.js";
import type { ResourceRegistry } from "../registry.js";
import type { ResourceService } from "../resource-service.js";
import type { ObjectStore, StoredEvent } from "../store.js";
import { CoalescingRunner } from "./coalescing-runner.js";

const CRD_STORAGE_KEY = "apiextensions.k8s.io/customresourcedefinitions";

export class CrdLifecycle {
  private readonly runner: CoalescingRunner;
  private readonly deleting = new Set<string>();

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly store: ObjectStore,
    private readonly service: ResourceService,
    private readonly deleter: Deleter,
    private readonly onUnregister: (crdName: string) => void,
    onError: (err: unknown) => void,
  ) {
    this.runner = new CoalescingRunner(() => this.pass(), onError);
    store.subscribe((e) => this.observe(e));
  }

  stop(): void {
    this.runner.stop();
  }

  private observe(e: StoredEvent): void {
    if (e.storageKey !== CRD_STORAGE_KEY) {
      if (this.deleting.size > 0) this.runner.trigger();
      return;
    }
    const name = e.object.metadata?.name ?? "";
    if (e.type === "DELETED") {
      this.deleting.delete(name);
      this.registry.unregisterCrd(name);
      this.onUnregister(name);
      return;
    }
    if (e.object.metadata?.deletionTimestamp) {
      this.deleting.add(name);
      this.runner.trigger();
    } else this.registry.registerCrd(e.object);
  }

  private pass(): void {
    for (const name of this.deleting) {
      const types = this.registry.all().filter((t) => t.crdName === name);
      let remaining = 0;
      for (const type of types.slice(0, 1)) {
        for (const obj of this.store.list(type.storageKey)) {
          remaining++;
          if (!obj.metadata?.deletionTimestamp)
            this.deleter.delete(type, obj.metadata?.namespace, obj.metadata?.name ?? "", {
              propagationPolicy: "Background",
            });
        }
      }
      if (remaining > 0 && types[0] && this.store.list(types[0].storageKey).length > 0) continue;
      const crdType = this.registry.byResource("apiextensions.k8s.io", "v1", "customresourcedefinitions")!;
      const crd = this.store.get(CRD_STORAGE_KEY, undefined, name);
      if (!crd) continue;
      const next = structuredClone(crd);
      next.metadata!.finalizers = (crd.metadata?.finalizers ?? []).filter((f) => f !== CRD_CLEANUP_FINALIZER);
      this.service.persist(crdType, crd, next, {});
    }
  }
}
