-- Browser logins (authorization code + PKCE): clients register the exact redirect URIs a code
-- may be sent to and the URIs a logout may return to (JSON arrays of strings).
ALTER TABLE clients ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]';

-- One-time authorization codes (only their SHA-256 is kept), bound to client, redirect URI
-- and PKCE challenge. `session_id` is the refresh-token family (and the `sid` claim) the code
-- starts; using a spent code again ends that session.
CREATE TABLE authorization_codes (
    code_hash TEXT PRIMARY KEY NOT NULL,
    realm_id TEXT NOT NULL REFERENCES realms (id) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    scope TEXT NOT NULL,
    nonce TEXT,
    session_id TEXT NOT NULL,
    auth_time TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX authorization_codes_expires ON authorization_codes (expires_at);
CREATE INDEX authorization_codes_realm ON authorization_codes (realm_id);
CREATE INDEX authorization_codes_user ON authorization_codes (user_id);
