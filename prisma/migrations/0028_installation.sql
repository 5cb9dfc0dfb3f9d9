-- Up Migration
-- One row: what every process of an installation must share. A canary sealed under the master key
-- (a process whose key does not open it refuses to start) and the name of a sentinel object written
-- to storage at first start (a process that cannot read it is on other storage and refuses to start).
CREATE TABLE installation (
  id                 boolean PRIMARY KEY DEFAULT true CHECK (id),
  canary_ciphertext  bytea NOT NULL,
  canary_nonce       bytea NOT NULL,
  master_key_id      text NOT NULL,
  storage_sentinel   text NOT NULL,
  created_at         timestamptz(3) NOT NULL DEFAULT now()
);

-- Down Migration
DROP TABLE installation;
