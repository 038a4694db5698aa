package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
)

// The bank door's tables (migrations 0002_bank). Lists (grant types,
// origins, factor chains) are JSON text: they are read and written whole,
// never queried into.

const clientColumns = `id, name, secret_hash, grant_types, user_types, access_ttl, refresh_ttl, origins, created_at, updated_at,
	redirect_uris, post_logout_redirect_uris, response_types, auth_method, scope, jwks, skip_consent, resources,
	id_token_alg`

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode json: %w", err)
	}
	return string(b), nil
}

func fromJSON(s string, v any) error {
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("decode json: %w", err)
	}
	return nil
}

func clientArgs(c *bank.Client) ([]any, error) {
	g, err := jsonText(nonNil(c.GrantTypes))
	if err != nil {
		return nil, err
	}
	u, err := jsonText(nonNil(c.UserTypes))
	if err != nil {
		return nil, err
	}
	o, err := jsonText(nonNil(c.Origins))
	if err != nil {
		return nil, err
	}
	var secret any
	if len(c.SecretHash) > 0 {
		secret = c.SecretHash
	}
	args := []any{c.ID, c.Name, secret, g, u, int64(c.AccessTTL / time.Second), int64(c.RefreshTTL / time.Second),
		o, micros(c.CreatedAt), micros(c.UpdatedAt)}
	m := c.Metadata
	for _, l := range [][]string{m.RedirectURIs, m.PostLogoutRedirectURIs, m.ResponseTypes} {
		j, err := jsonText(nonNil(l))
		if err != nil {
			return nil, err
		}
		args = append(args, j)
	}
	r, err := jsonText(nonNil(m.Resources))
	if err != nil {
		return nil, err
	}
	return append(args, m.AuthMethod, m.Scope, m.JWKS, m.SkipConsent, r, m.IDTokenAlg), nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func scanClient(r scanner) (bank.Client, error) {
	var c bank.Client
	var g, u, o, ru, pl, rt, res string
	var access, refresh, created, updated int64
	m := &c.Metadata
	if err := r.Scan(&c.ID, &c.Name, &c.SecretHash, &g, &u, &access, &refresh, &o, &created, &updated,
		&ru, &pl, &rt, &m.AuthMethod, &m.Scope, &m.JWKS, &m.SkipConsent, &res, &m.IDTokenAlg); err != nil {
		return bank.Client{}, err
	}
	for _, l := range []struct {
		text string
		to   *[]string
	}{{ru, &m.RedirectURIs}, {pl, &m.PostLogoutRedirectURIs}, {rt, &m.ResponseTypes}, {res, &m.Resources}} {
		if err := fromJSON(l.text, l.to); err != nil {
			return bank.Client{}, err
		}
		if len(*l.to) == 0 { // absent and empty read alike
			*l.to = nil
		}
	}
	if err := fromJSON(g, &c.GrantTypes); err != nil {
		return bank.Client{}, err
	}
	if err := fromJSON(u, &c.UserTypes); err != nil {
		return bank.Client{}, err
	}
	if err := fromJSON(o, &c.Origins); err != nil {
		return bank.Client{}, err
	}
	c.AccessTTL, c.RefreshTTL = time.Duration(access)*time.Second, time.Duration(refresh)*time.Second
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, nil
}

// CreateClient inserts c; ErrExists when the id is taken.
func (s *Store) CreateClient(ctx context.Context, c *bank.Client) (err error) {
	defer core.Op(&err, "sqlstore.CreateClient")
	args, err := clientArgs(c)
	if err != nil {
		return err
	}
	_, err = s.q.ExecContext(ctx, `INSERT INTO bank_clients (`+clientColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`, args...)
	if s.violation(err) == UniqueViolation {
		return core.ErrExists.With(err)
	}
	return err
}

// ClientByID returns the client or ErrNotFound.
func (s *Store) ClientByID(ctx context.Context, id string) (c bank.Client, err error) {
	defer core.Op(&err, "sqlstore.ClientByID")
	c, err = scanClient(s.q.QueryRowContext(ctx, `SELECT `+clientColumns+` FROM bank_clients WHERE id = $1`, id))
	return c, notFound(err)
}

// ListClients returns every client by id.
func (s *Store) ListClients(ctx context.Context) (list []bank.Client, err error) {
	defer core.Op(&err, "sqlstore.ListClients")
	rows, err := s.q.QueryContext(ctx, `SELECT `+clientColumns+` FROM bank_clients ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	return list, rows.Err()
}

// UpdateClient reads the client under a lock, applies fn and writes it back.
func (s *Store) UpdateClient(ctx context.Context, id string, fn func(*bank.Client) error) (c bank.Client, err error) {
	defer core.Op(&err, "sqlstore.UpdateClient")
	err = s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		cur, err := scanClient(ts.q.QueryRowContext(ctx, `SELECT `+clientColumns+` FROM bank_clients WHERE id = $1`+ts.d.ForUpdate, id))
		if err != nil {
			return notFound(err)
		}
		if err := fn(&cur); err != nil {
			return err
		}
		cur.ID = id
		args, err := clientArgs(&cur)
		if err != nil {
			return err
		}
		_, err = ts.q.ExecContext(ctx, `UPDATE bank_clients SET name = $2, secret_hash = $3, grant_types = $4,
			user_types = $5, access_ttl = $6, refresh_ttl = $7, origins = $8, created_at = $9, updated_at = $10,
			redirect_uris = $11, post_logout_redirect_uris = $12, response_types = $13, auth_method = $14,
			scope = $15, jwks = $16, skip_consent = $17, resources = $18, id_token_alg = $19
			WHERE id = $1`, args...)
		c = cur
		return err
	})
	if err != nil {
		return bank.Client{}, err
	}
	return c, nil
}

// DeleteClient removes the client; ErrNotFound when absent.
func (s *Store) DeleteClient(ctx context.Context, id string) (err error) {
	defer core.Op(&err, "sqlstore.DeleteClient")
	res, err := s.q.ExecContext(ctx, `DELETE FROM bank_clients WHERE id = $1`, id)
	if err != nil {
		return err
	}
	return mustAffect(res)
}

// RememberCiphertext inserts the hash unless present: the primary key
// decides, so of two concurrent callers exactly one is fresh.
func (s *Store) RememberCiphertext(ctx context.Context, hash []byte, expires time.Time) (fresh bool, err error) {
	defer core.Op(&err, "sqlstore.RememberCiphertext")
	res, err := s.q.ExecContext(ctx, `INSERT INTO bank_ciphertexts (hash, expires_at) VALUES ($1, $2)
		ON CONFLICT (hash) DO NOTHING`, hash, micros(expires))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// PurgeBank deletes expired one-time codes and ciphertext hashes.
func (s *Store) PurgeBank(ctx context.Context, before time.Time) (err error) {
	defer core.Op(&err, "sqlstore.PurgeBank")
	if _, err := s.q.ExecContext(ctx, `DELETE FROM bank_otp WHERE expires_at < $1`, micros(before)); err != nil {
		return err
	}
	_, err = s.q.ExecContext(ctx, `DELETE FROM bank_ciphertexts WHERE expires_at < $1`, micros(before))
	return err
}
