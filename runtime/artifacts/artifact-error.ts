// A refused artifact: the reason the operator turns into the ArtifactVerified condition and a
// one-line message saying exactly what was wrong.
import type { ArtifactFailureReason } from "../../operator/desired/runtime-contract.js";

export type { ArtifactFailureReason };

export class ArtifactError extends Error {
  constructor(
    readonly reason: ArtifactFailureReason,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
