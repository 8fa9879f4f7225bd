-- Argo CD health for moderation.vigil.dev/ModelDeployment, from status.phase and conditions.
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

local phase = obj.status.phase
local artifact = condition("ArtifactVerified")
local degraded = condition("Degraded")

if phase == "RolledBack" then
  local rb = obj.status.rollback or {}
  hs.status = "Degraded"
  hs.message = "Rolled back from " .. tostring(rb.from) .. " to " .. tostring(rb.to) .. ": "
    .. tostring(rb.reason) .. (rb.message ~= nil and (": " .. rb.message) or "")
  return hs
end
if artifact ~= nil and artifact.status == "False" then
  hs.status = "Degraded"
  hs.message = describe(artifact)
  return hs
end
if phase == "Failed" or (degraded ~= nil and degraded.status == "True") then
  hs.status = "Degraded"
  hs.message = degraded ~= nil and degraded.status == "True" and describe(degraded) or "Rollout failed"
  return hs
end
if phase == "AwaitingPromotion" then
  hs.status = "Suspended"
  local preview = obj.status.previewRevision or {}
  hs.message = "Revision " .. tostring(preview.hash or "") .. " passed its checks and awaits promotion"
  return hs
end
if phase == "Active" then
  local ready = condition("Ready")
  hs.status = "Healthy"
  hs.message = ready ~= nil and ready.message or ""
  return hs
end
if phase == "Pending" then
  -- Nothing references the model yet: nothing to wait for and nothing broken.
  hs.status = "Healthy"
  hs.message = "No ModerationService references this ModelDeployment"
  return hs
end
hs.status = "Progressing"
local progressing = condition("Progressing")
hs.message = tostring(phase or "Pending") .. (progressing ~= nil and progressing.message ~= nil
  and progressing.message ~= "" and (": " .. progressing.message) or "")
return hs
