-- Up Migration
-- Usage of a live session: one record per engine it used (README, "Provider routing and fallback"),
-- as jobs have had since 0017.
DROP INDEX usage_records_session_id_key;
CREATE UNIQUE INDEX usage_records_session_id_provider_key ON usage_records (session_id, provider);

-- Down Migration
DELETE FROM usage_records r USING usage_records o
  WHERE r.session_id IS NOT NULL AND r.session_id = o.session_id AND r.id > o.id;
DROP INDEX usage_records_session_id_provider_key;
CREATE UNIQUE INDEX usage_records_session_id_key ON usage_records (session_id);
