-- Set when the CMS acknowledged the decision, so a re-delivered notify job never posts twice.
ALTER TABLE decisions ADD COLUMN notified_at timestamptz;
