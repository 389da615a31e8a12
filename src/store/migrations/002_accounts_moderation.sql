-- Moderator accounts, browser sessions, API tokens, and the indexes the review views page through.

CREATE TABLE users (
  id             text PRIMARY KEY,
  name           text NOT NULL UNIQUE,
  role           text NOT NULL CHECK (role IN ('moderator', 'admin')),
  password_hash  text NOT NULL,
  disabled_at    timestamptz,
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- The cookie holds a random id; only its SHA-256 is stored, so a database leak opens no session.
CREATE TABLE sessions (
  id_hash       text PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users(id),
  csrf_token    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz NOT NULL
);

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
  id            text PRIMARY KEY,
  name          text NOT NULL,
  token_hash    text NOT NULL UNIQUE,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  revoked_at    timestamptz
);

-- Keyset pagination: every view orders by (coalesce(severity, -1) DESC, id DESC) and pages with a
-- row comparison, which these indexes answer without sorting or skipping rows.
CREATE INDEX comments_keyset_all ON comments ((coalesce(severity, -1)) DESC, id DESC);
CREATE INDEX comments_keyset_decision ON comments (decision, (coalesce(severity, -1)) DESC, id DESC);
-- "To review": machine or moderator reviews, and machine rejects a human has not confirmed yet.
CREATE INDEX comments_keyset_review ON comments ((coalesce(severity, -1)) DESC, id DESC)
  WHERE decision = 'review' OR (decision = 'reject' AND decided_by = 'machine');
CREATE INDEX comments_keyset_review_site ON comments (site_id, (coalesce(severity, -1)) DESC, id DESC)
  WHERE decision = 'review' OR (decision = 'reject' AND decided_by = 'machine');
CREATE INDEX comments_keyset_review_language ON comments (language, (coalesce(severity, -1)) DESC, id DESC)
  WHERE decision = 'review' OR (decision = 'reject' AND decided_by = 'machine');
CREATE INDEX comments_keyset_review_label ON comments (top_label, (coalesce(severity, -1)) DESC, id DESC)
  WHERE decision = 'review' OR (decision = 'reject' AND decided_by = 'machine');
CREATE INDEX comments_keyset_review_article ON comments (article_id, (coalesce(severity, -1)) DESC, id DESC)
  WHERE decision = 'review' OR (decision = 'reject' AND decided_by = 'machine');
CREATE INDEX comments_author_recent ON comments (site_id, author, created_at DESC);
CREATE INDEX comments_decided_at ON comments (decided_at);

CREATE INDEX audit_log_actor_at ON audit_log (actor, at DESC);
CREATE INDEX audit_log_keyset ON audit_log (at DESC, id DESC);
