-- Argo CD health for moderation.vigil.dev/ModerationService, from the operator's status.
-- Each Argo CD health script stands alone, so the condition lookup is repeated per kind.
local function condition(t)
  if obj.status == nil or obj.status.conditions == nil then return nil end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == t then return c end
  end
  return nil
end

local function describe(c)
  if c.message ~= nil and c.message ~= "" then return c.reason .. ": " .. c.message end
  return c.reason
end

local hs = {}
local generation = obj.metadata.generation
if obj.status == nil or obj.status.observedGeneration == nil
    or (generation ~= nil and obj.status.observedGeneration ~= generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation or "")
  return hs
end

local ready = condition("Ready")
local progressing = condition("Progressing")
local degraded = condition("Degraded")
local rollout = obj.status.rollout or {}

-- A rollback leaves Degraded=True until the spec changes, but the previous verified revision
-- serves: the service is healthy, and the ModelDeployment carries the failure.
local rolledBack = rollout.phase == "RolledBack" and ready ~= nil and ready.status == "True"

if degraded ~= nil and degraded.status == "True" and not rolledBack then
  hs.status = "Degraded"
  hs.message = describe(degraded)
  return hs
end
if progressing ~= nil and progressing.status == "True" then
  hs.status = "Progressing"
  if rollout.phase ~= nil then
    hs.message = "Rollout " .. rollout.phase .. ": " .. (progressing.message or "")
  else
    hs.message = describe(progressing)
  end
  return hs
end
if ready ~= nil and ready.status == "True" then
  if ready.reason == "ScaledToZero" then
    hs.status = "Suspended"
    hs.message = "Scaled to zero replicas"
    return hs
  end
  hs.status = "Healthy"
  if rolledBack then
    local rb = rollout.rollback or {}
    hs.message = "Serving " .. tostring(rb.to or "the previous revision") .. " after rolling back "
      .. tostring(rb.from or "") .. " (" .. tostring(rb.reason or degraded.reason) .. ")"
  else
    hs.message = ready.message or ""
  end
  return hs
end
if ready ~= nil and ready.status == "False" then
  hs.status = "Degraded"
  hs.message = describe(ready)
  return hs
end
hs.status = "Progressing"
hs.message = "Waiting for the Ready condition"
return hs
