// Owner-reference garbage collection, as kube-controller-manager's garbage collector does it
// (opt-in: tests of "what the operator itself deletes" run without it):
// - a dependent all of whose owners are gone (or were never there) is deleted in the
//   background; a dependent with some owners left loses the references to the missing ones;
// - an owner deleting with the `orphan` finalizer has its dependents' references removed,
//   then the finalizer;
// - an owner deleting with `foregroundDeletion` has its dependents deleted and keeps the
//   finalizer until no dependent with `blockOwnerDeletion: true` is left.
import { FOREGROUND_FINALIZER, ORPHAN_FINALIZER, type Deleter } from "../deletion.js";
import type { ResourceRegistry } from "../registry.js";
import type { ResourceType } from "../resource-type.js";
import type { ResourceService } from "../resource-service.js";
import type { ObjectStore } from "../store.js";
import type { KubeObject, OwnerReference } from "../types.js";
import { CoalescingRunner } from "./coalescing-runner.js";

const MANAGER = "kube-controller-manager";

interface Node {
  type: ResourceType;
  obj: KubeObject;
}

export class GarbageCollector {
  private readonly runner: CoalescingRunner;

  constructor(
    private readonly registry: ResourceRegistry,
    private readonly store: ObjectStore,
    private readonly service: ResourceService,
    private readonly deleter: Deleter,
    onError: (err: unknown) => void,
  ) {
    this.runner = new CoalescingRunner(() => this.pass(), onError);
    store.subscribe(() => this.runner.trigger());
  }

  stop(): void {
    this.runner.stop();
  }

  private snapshot(): Node[] {
    const nodes: Node[] = [];
    const seen = new Set<string>();
    for (const type of this.registry.all()) {
      if (seen.has(type.storageKey)) continue;
      seen.add(type.storageKey);
      for (const obj of this.store.peek(type.storageKey)) nodes.push({ type, obj });
    }
    return nodes;
  }

  private pass(): void {
    const all = this.snapshot();
    // Only owners being deleted and objects with owners can need work.
    const nodes = all.filter(
      (n) => n.obj.metadata?.ownerReferences?.length || n.obj.metadata?.deletionTimestamp,
    );
    if (nodes.length === 0) return;
    const byUid = new Map(all.map((n) => [n.obj.metadata?.uid ?? "", n]));
    const dependentsOf = (uid: string): { node: Node; ref: OwnerReference }[] =>
      nodes.flatMap((n) => {
        const ref = n.obj.metadata?.ownerReferences?.find((r) => r.uid === uid);
        return ref ? [{ node: n, ref }] : [];
      });

    for (const owner of nodes) {
      const meta = owner.obj.metadata ?? {};
      if (!meta.deletionTimestamp) continue;
      if (meta.finalizers?.includes(ORPHAN_FINALIZER)) {
        for (const { node } of dependentsOf(meta.uid ?? "")) this.dropReferences(node, [meta.uid ?? ""]);
        this.removeFinalizer(owner, ORPHAN_FINALIZER);
      } else if (meta.finalizers?.includes(FOREGROUND_FINALIZER)) {
        const dependents = dependentsOf(meta.uid ?? "");
        for (const { node } of dependents)
          if (!node.obj.metadata?.deletionTimestamp) this.deleteNode(node, "Foreground");
        const blocking = dependents.filter(
          ({ node, ref }) => ref.blockOwnerDeletion === true && this.exists(node),
        );
        if (blocking.length === 0) this.removeFinalizer(owner, FOREGROUND_FINALIZER);
      }
    }

    for (const node of nodes) {
      // Read again: the orphaning above may have changed it.
      const live = this.store.get(
        node.type.storageKey,
        node.obj.metadata?.namespace,
        node.obj.metadata?.name ?? "",
      );
      if (!live || live.metadata?.uid !== node.obj.metadata?.uid) continue;
      const dependent = { type: node.type, obj: live };
      const refs = live.metadata?.ownerReferences ?? [];
      if (refs.length === 0) continue;
      const absent = refs.filter((r) => !this.ownerPresent(r, dependent, byUid));
      if (absent.length === 0) continue;
      if (absent.length === refs.length) {
        if (!dependent.obj.metadata?.deletionTimestamp) this.deleteNode(dependent, "Background");
      } else
        this.dropReferences(
          dependent,
          absent.map((r) => r.uid),
        );
    }
  }

  /** An owner counts while it exists, deleting or not, with that uid, kind and name, in a reachable scope. */
  private ownerPresent(ref: OwnerReference, dependent: Node, byUid: Map<string, Node>): boolean {
    const owner = byUid.get(ref.uid);
    if (!owner || !this.exists(owner)) return false;
    if (owner.type.kind !== ref.kind || owner.obj.metadata?.name !== ref.name) return false;
    if (owner.type.namespaced) return owner.obj.metadata?.namespace === dependent.obj.metadata?.namespace;
    return true;
  }

  private exists(n: Node): boolean {
    const live = this.store.get(n.type.storageKey, n.obj.metadata?.namespace, n.obj.metadata?.name ?? "");
    return live !== undefined && live.metadata?.uid === n.obj.metadata?.uid;
  }

  private deleteNode(n: Node, propagationPolicy: "Background" | "Foreground"): void {
    if (!this.exists(n)) return;
    this.deleter.delete(n.type, n.obj.metadata?.namespace, n.obj.metadata?.name ?? "", {
      propagationPolicy,
      preconditions: { uid: n.obj.metadata?.uid ?? "" },
    });
  }

  private dropReferences(n: Node, uids: string[]): void {
    this.mutate(n, (obj) => {
      const refs = (obj.metadata!.ownerReferences ?? []).filter((r) => !uids.includes(r.uid));
      if (refs.length > 0) obj.metadata!.ownerReferences = refs;
      else delete obj.metadata!.ownerReferences;
    });
  }

  private removeFinalizer(n: Node, finalizer: string): void {
    this.mutate(n, (obj) => {
      obj.metadata!.finalizers = (obj.metadata!.finalizers ?? []).filter((f) => f !== finalizer);
    });
  }

  private mutate(n: Node, change: (obj: KubeObject) => void): void {
    const live = this.store.get(n.type.storageKey, n.obj.metadata?.namespace, n.obj.metadata?.name ?? "");
    if (!live || live.metadata?.uid !== n.obj.metadata?.uid) return;
    change(live);
    const type = this.registry.versionsOf(n.type.storageKey)[0] ?? n.type;
    this.service.update(type, live.metadata?.namespace, live.metadata?.name ?? "", live, {
      manager: MANAGER,
    });
  }
}
