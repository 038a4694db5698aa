-- private_key_jwt replay records, and the id_token algorithm a client asks for.

-- private_key_jwt (RFC 7523 §3 item 7, OpenID Connect Core §9): the jti of
-- every client assertion accepted, kept until the assertion expires, so
-- that each is used once. The primary key makes the first insert win when
-- two presentations race (oauth.Records.UseAssertion); the purge deletes
-- rows whose assertion has expired.
CREATE TABLE oauth_assertions (
    client_id  TEXT   NOT NULL,
    jti        TEXT   NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (client_id, jti)
);
CREATE INDEX oauth_assertions_expires ON oauth_assertions (expires_at);

-- id_token_signed_response_alg (OpenID Connect Registration §2): the
-- algorithm a client asks its id_tokens in; '' means RS256, which a key is
-- always kept for.
ALTER TABLE bank_clients ADD COLUMN id_token_alg TEXT NOT NULL DEFAULT '';
