-- Argo CD health for moderation.vigil.dev/Policy: the Valid condition the operator sets after
-- compiling the policy.
local hs = {}
local generation = obj.metadata.generation
if obj.status == nil or obj.status.observedGeneration == nil
    or (generation ~= nil and obj.status.observedGeneration ~= generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. tostring(generation or "")
  return hs
end
local valid = nil
for _, c in ipairs(obj.status.conditions or {}) do
  if c.type == "Valid" then valid = c end
end
if valid == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Valid condition"
elseif valid.status == "True" then
  hs.status = "Healthy"
  hs.message = valid.message or ""
else
  hs.status = "Degraded"
  hs.message = valid.reason .. ": " .. (valid.message or "")
end
return hs
