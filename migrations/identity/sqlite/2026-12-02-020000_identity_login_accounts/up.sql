-- Failed logins are counted per login name (a keyed hash of it), not per user: names that
-- match no user back off like names that do, so logins never reveal whether an account exists.
-- The counts are transient (a quarter hour), so the old table is simply replaced.
DROP TABLE login_failures;
CREATE TABLE login_failures (
    account TEXT NOT NULL,
    source TEXT NOT NULL,
    failures BIGINT NOT NULL,
    last_failure_at TIMESTAMP NOT NULL,
    blocked_until TIMESTAMP,
    PRIMARY KEY (account, source)
);
CREATE INDEX login_failures_last ON login_failures (last_failure_at);
