export * from "./schema.js";
export * from "./policy.js";
export * from "./modeldeployment.js";
export * from "./moderationservice.js";
export * from "./definitions.js";
