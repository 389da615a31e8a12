-- `vigie status` (decisions per minute, versions in use) and rescore progress read recent decisions.
CREATE INDEX IF NOT EXISTS decisions_created_at ON decisions (created_at);
