// Input the builders cannot turn into valid Kubernetes objects even though it passed the
// CRD schema (e.g. a name too long for a Service). The reconciler reports it as a Degraded
// condition with this field and message instead of retrying.
export class DesiredInputError extends Error {
  override readonly name = "DesiredInputError";

  constructor(
    /** Field path in the offending object, e.g. `ModerationService metadata.name`. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
