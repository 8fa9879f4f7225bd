// Builders must only be tested with input the API server admits: every fixture custom
// resource passes its CRD schema and CEL rules.
import { describe, expect, it } from "vitest";
import { MODEL_DEPLOYMENT, MODERATION_SERVICE, POLICY, openAPIV3Schema } from "../../crds/definitions.js";
import { formatFieldErrors, validateObject } from "../../crds/validation.js";
import { FIXTURES, type FixtureName } from "./fixtures.js";

describe.each(Object.keys(FIXTURES) as FixtureName[])("the %s fixture", (name) => {
  const input = FIXTURES[name]();
  it.each([
    ["ModerationService", MODERATION_SERVICE, input.service],
    ["ModelDeployment", MODEL_DEPLOYMENT, input.model],
    ["Policy", POLICY, input.policy],
  ] as const)("has a valid %s", (_kind, definition, object) => {
    expect(formatFieldErrors(validateObject(openAPIV3Schema(definition), object))).toBe("");
  });
});
