-- Up Migration
-- Login throttling per (account, address) pair: a pair that has signed in successfully is a known
-- address of that account, exempt from the account-wide and address-wide blocks (README, security notes).
ALTER TABLE login_throttles ADD COLUMN last_success_at timestamptz(3);

-- Down Migration
ALTER TABLE login_throttles DROP COLUMN last_success_at;
