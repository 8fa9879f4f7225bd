// The three-persona split the user ClusterRoles promise (docs/rbac.md): each team writes one
// kind and reads the others; nobody but the operator writes status.
import { describe, expect, it } from "vitest";
import { GROUP } from "../../crds/index.js";
import { allows } from "../../operator/controllers/rbac.js";
import { USER_ROLES } from "../../hack/user-roles.js";

const rules = (name: string) => USER_ROLES.find((r) => r.name === name)!.rules;
const KINDS = ["moderationservices", "modeldeployments", "policies"];

describe("user ClusterRoles", () => {
  it.each([
    ["vigil-service-editor", "moderationservices"],
    ["vigil-model-editor", "modeldeployments"],
    ["vigil-policy-editor", "policies"],
  ])("%s writes only %s and reads every kind", (role, kind) => {
    for (const k of KINDS) {
      expect(allows(rules(role), GROUP, k, "get"), `${role} get ${k}`).toBe(true);
      for (const verb of ["create", "patch", "delete"]) {
        expect(allows(rules(role), GROUP, k, verb), `${role} ${verb} ${k}`).toBe(k === kind);
      }
    }
  });

  it("lets editors and admins write every kind, viewers none", () => {
    for (const k of KINDS) {
      expect(allows(rules("vigil-editor"), GROUP, k, "update")).toBe(true);
      expect(allows(rules("vigil-admin"), GROUP, k, "deletecollection")).toBe(true);
      expect(allows(rules("vigil-viewer"), GROUP, k, "list")).toBe(true);
      expect(allows(rules("vigil-viewer"), GROUP, k, "patch")).toBe(false);
    }
  });

  it("never grants writes on status, which only the operator sets", () => {
    for (const role of USER_ROLES) {
      for (const k of KINDS) {
        for (const verb of ["update", "patch"])
          expect(allows(role.rules, GROUP, `${k}/status`, verb)).toBe(false);
      }
    }
  });
});
