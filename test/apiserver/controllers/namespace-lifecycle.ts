// What kube-controller-manager does for namespaces: publishes the `default` ServiceAccount
// and the `kube-root-ca.crt` ConfigMap into new namespaces, and empties a deleting
// namespace (objects with finalizers keep it Terminating) before removing its `kubernetes`
// finalizer so it disappears.
import type { Deleter } from "../deletion.js";
import type { ResourceRegistry } from "../registry.js";
import type { ResourceService } from "../resource-service.js";
import type { ObjectStore, StoredEvent } from "../store.js";
import type { KubeObject } from "../types.js";
import { CoalescingRunner } from "./coalescing-runner.js";

const MANAGER = "kube-controller-manager";
const FAKE_CA =
  "-----BEGIN CERTIFICATE-----\nTUlJQmVtdWxhdG9yLWNhLW5vdC1hLXJlYWwtY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n";

export class NamespaceLifecycle {
  private readonly runner: CoalescingRunner;
  private readonly newNamespaces = new Set<string>();
  private readonly terminating = new Set<string>();

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly store: ObjectStore,
    private readonly service: ResourceService,
    private readonly deleter: Deleter,
    private readonly publishDefaults: boolean,
    onError: (err: unknown) => void,
  ) {
    this.runner = new CoalescingRunner(() => this.pass(), onError);
    store.subscribe((e) => this.observe(e));
  }

  stop(): void {
    this.runner.stop();
  }

  private observe(e: StoredEvent): void {
    if (e.storageKey === "/namespaces") {
      const name = e.object.metadata?.name ?? "";
      if (e.type === "ADDED" && this.publishDefaults) this.newNamespaces.add(name);
      if (e.type !== "DELETED" && e.object.metadata?.deletionTimestamp) this.terminating.add(name);
      if (e.type === "DELETED") this.terminating.delete(name);
      this.runner.trigger();
    } else if (e.object.metadata?.namespace && this.terminating.has(e.object.metadata.namespace)) {
      this.runner.trigger();
    }
  }

  private pass(): void {
    for (const ns of this.newNamespaces) {
      this.newNamespaces.delete(ns);
      this.publish(ns);
    }
    for (const ns of this.terminating) this.sweep(ns);
  }

  private publish(namespace: string): void {
    const live = this.store.get("/namespaces", undefined, namespace);
    if (!live || live.metadata?.deletionTimestamp) return;
    const sa = this.registry.byResource("", "v1", "serviceaccounts")!;
    const cm = this.registry.byResource("", "v1", "configmaps")!;
    if (!this.store.get(sa.storageKey, namespace, "default"))
      this.service.create(sa, namespace, { metadata: { name: "default" } }, { manager: MANAGER });
    if (!this.store.get(cm.storageKey, namespace, "kube-root-ca.crt"))
      this.service.create(
        cm,
        namespace,
        {
          metadata: {
            name: "kube-root-ca.crt",
            annotations: {
              "kubernetes.io/description":
                "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.",
            },
          },
          data: { "ca.crt": FAKE_CA },
        },
        { manager: MANAGER },
      );
  }

  private sweep(namespace: string): void {
    let remaining = 0;
    const seen = new Set<string>();
    for (const type of this.registry.all()) {
      if (!type.namespaced || seen.has(type.storageKey)) continue;
      seen.add(type.storageKey);
      for (const obj of this.store.list(type.storageKey, namespace)) {
        remaining++;
        if (!obj.metadata?.deletionTimestamp)
          this.deleter.delete(type, namespace, obj.metadata?.name ?? "", { propagationPolicy: "Background" });
      }
    }
    if (remaining > 0 && this.anyLeft(namespace, seen)) return;
    const nsType = this.registry.byResource("", "v1", "namespaces")!;
    const ns = this.store.get(nsType.storageKey, undefined, namespace);
    if (!ns) return;
    const spec = (ns.spec ?? {}) as { finalizers?: string[] };
    if (!spec.finalizers?.includes("kubernetes")) return;
    const next: KubeObject = structuredClone(ns);
    next.spec = { ...spec, finalizers: spec.finalizers.filter((f) => f !== "kubernetes") };
    this.service.persist(nsType, ns, next, {});
  }

  private anyLeft(namespace: string, storageKeys: Set<string>): boolean {
    return [...storageKeys].some((k) => this.store.list(k, namespace).length > 0);
  }
}
