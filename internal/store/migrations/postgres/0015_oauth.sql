-- The standard OAuth 2 / OpenID Connect door (docs/oidc.md). Its clients are
-- the bank door's (one registry): RFC 7591 metadata is added to them, each
-- list as JSON text read and written whole. An empty token_endpoint_auth_method
-- means the client was registered before this migration: Gatehouse derives
-- it from the secret (client_secret_basic, or none for a public client).
ALTER TABLE bank_clients ADD COLUMN redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE bank_clients ADD COLUMN post_logout_redirect_uris TEXT NOT NULL DEFAULT '[]';
ALTER TABLE bank_clients ADD COLUMN response_types TEXT NOT NULL DEFAULT '[]';
ALTER TABLE bank_clients ADD COLUMN auth_method TEXT NOT NULL DEFAULT '';
ALTER TABLE bank_clients ADD COLUMN scope TEXT NOT NULL DEFAULT '';
ALTER TABLE bank_clients ADD COLUMN jwks TEXT NOT NULL DEFAULT '';
ALTER TABLE bank_clients ADD COLUMN skip_consent BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE bank_clients ADD COLUMN resources TEXT NOT NULL DEFAULT '[]';

-- Authorization codes (RFC 6749 §4.1.2): only the SHA-256 of the code is
-- kept. used_at marks the one redemption; reused_at a second presentation,
-- after which session_id (the grant's core session, set by the redemption)
-- is revoked whichever of the two writes comes last.
CREATE TABLE oauth_codes (
    hash         BYTEA   PRIMARY KEY,
    client_id    TEXT    NOT NULL,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    redirect_uri TEXT    NOT NULL,
    scope        TEXT    NOT NULL,
    nonce        TEXT    NOT NULL DEFAULT '',
    challenge    TEXT    NOT NULL DEFAULT '', -- PKCE S256 code_challenge; '' when none
    auth_time    BIGINT NOT NULL,
    amr          TEXT    NOT NULL DEFAULT '[]',
    acr          TEXT    NOT NULL DEFAULT '',
    browser_sid  TEXT    NOT NULL DEFAULT '', -- the sign-in session of the browser (the id_token's sid)
    user_agent   TEXT    NOT NULL DEFAULT '',
    ip           TEXT    NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT,
    reused_at    BIGINT,
    session_id   TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX oauth_codes_expires ON oauth_codes (expires_at);

-- Consents (per user and client): the scopes granted, until revoked.
CREATE TABLE oauth_consents (
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id  TEXT    NOT NULL,
    scope      TEXT    NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, client_id)
);

-- Authorization requests kept while the browser signs in or consents: the
-- sign-in page continues to /oauth2/authorize?request_id=ID, so the request's
-- parameters never travel through the login URL. params is JSON.
CREATE TABLE oauth_requests (
    id         TEXT    PRIMARY KEY,
    client_id  TEXT    NOT NULL,
    params     TEXT    NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX oauth_requests_expires ON oauth_requests (expires_at);
