-- Ids are text (UUIDs made by the application) so PostgreSQL and PGlite return the same types.

CREATE TABLE articles (
  id          text PRIMARY KEY,
  site_id     text NOT NULL,
  url         text NOT NULL,
  title       text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (site_id, url)
);

CREATE TABLE comments (
  id                text PRIMARY KEY,
  site_id           text NOT NULL,
  article_id        text NOT NULL REFERENCES articles(id),
  source            text NOT NULL,
  source_id         text,
  parent_source_id  text,
  parent_id         text REFERENCES comments(id),
  author            text,
  text              text NOT NULL,
  text_hash         text NOT NULL,
  content_key       text NOT NULL,
  published_at      timestamptz,
  status            text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'scored', 'failed')),
  -- Denormalised from the current decision so the review queue is one indexed scan.
  decision          text CHECK (decision IN ('approve', 'review', 'reject')),
  decided_by        text,
  severity          double precision,
  top_label         text,
  language          text,
  enqueued_at       timestamptz,
  decided_at        timestamptz,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE UNIQUE INDEX comments_site_source_id ON comments (site_id, source_id) WHERE source_id IS NOT NULL;
CREATE INDEX comments_article_content ON comments (article_id, content_key);
CREATE INDEX comments_queue ON comments (decision, severity DESC, id);
CREATE INDEX comments_pending ON comments (status, enqueued_at) WHERE status = 'pending';
CREATE INDEX comments_parent ON comments (parent_id);

CREATE TABLE decisions (
  id              text PRIMARY KEY,
  comment_id      text NOT NULL REFERENCES comments(id),
  text_hash       text NOT NULL,
  actor           text NOT NULL,
  decision        text NOT NULL CHECK (decision IN ('approve', 'review', 'reject')),
  language        text,
  scores          jsonb NOT NULL DEFAULT '{}',
  reasons         jsonb NOT NULL DEFAULT '[]',
  spans           jsonb NOT NULL DEFAULT '[]',
  model_version   text NOT NULL,
  policy_version  text NOT NULL,
  is_current      boolean NOT NULL DEFAULT false,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- A re-delivered job for the same text, model and policy never makes a second machine decision.
CREATE UNIQUE INDEX decisions_machine_once
  ON decisions (comment_id, text_hash, model_version, policy_version) WHERE actor = 'machine';
-- Exactly one current decision per comment.
CREATE UNIQUE INDEX decisions_one_current ON decisions (comment_id) WHERE is_current;

CREATE TABLE audit_log (
  id          text PRIMARY KEY,
  at          timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  action      text NOT NULL,
  comment_id  text REFERENCES comments(id),
  before      jsonb,
  after       jsonb,
  details     jsonb
);

CREATE INDEX audit_log_at ON audit_log (at DESC);
CREATE INDEX audit_log_comment ON audit_log (comment_id);
