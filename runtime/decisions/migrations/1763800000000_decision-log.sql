-- Up Migration
CREATE TABLE vigil_decisions (
  id uuid PRIMARY KEY,
  -- Insertion order: pagination cursor and the proof that buffered records land in order.
  seq bigserial NOT NULL UNIQUE,
  decided_at timestamptz NOT NULL,
  request_id text NOT NULL,
  api text NOT NULL,
  text_sha256 char(64) NOT NULL,
  text_length integer NOT NULL,
  raw_text text,
  language text NOT NULL,
  action text NOT NULL CHECK (action IN ('allow', 'flag', 'review', 'block')),
  categories text[] NOT NULL DEFAULT '{}',
  reasons jsonb NOT NULL DEFAULT '[]',
  scores jsonb NOT NULL DEFAULT '{}',
  model_name text NOT NULL,
  model_version text NOT NULL,
  policy_name text NOT NULL,
  policy_generation bigint NOT NULL,
  client_id text,
  latency_ms real,
  cached boolean NOT NULL DEFAULT false,
  context jsonb,
  pod text,
  review_action text CHECK (review_action IN ('allow', 'flag', 'review', 'block')),
  reviewer text,
  review_note text,
  reviewed_at timestamptz
);
CREATE INDEX vigil_decisions_decided_at ON vigil_decisions (decided_at DESC);
CREATE INDEX vigil_decisions_action ON vigil_decisions (action, seq DESC);
CREATE INDEX vigil_decisions_categories ON vigil_decisions USING gin (categories);
CREATE INDEX vigil_decisions_review_queue ON vigil_decisions (seq DESC) WHERE action = 'review' AND reviewed_at IS NULL;

-- Down Migration
DROP TABLE vigil_decisions;
