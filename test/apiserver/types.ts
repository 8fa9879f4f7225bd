// Types shared by the emulator's modules and by tests that inspect it.

/** A stored Kubernetes object as JSON: what the emulator keeps and serves. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time?: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: ManagedFieldsEntry[];
  [key: string]: unknown;
}

/** The request verbs of the apiserver's audit/authorization vocabulary. */
export type Verb =
  "get" | "list" | "watch" | "create" | "update" | "patch" | "delete" | "deletecollection" | "discovery";

/** One HTTP request as the emulator saw it, recorded after it was answered (watches: when the stream opened). */
export interface RecordedRequest {
  verb: Verb;
  method: string;
  path: string;
  /** Plural resource name, e.g. `deployments`; undefined for discovery. */
  resource?: string;
  /** API group, `""` for the core group. */
  group?: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** HTTP status code of the response. */
  status: number;
  contentType?: string;
  /** `fieldManager` query parameter, when given. */
  fieldManager?: string;
}
