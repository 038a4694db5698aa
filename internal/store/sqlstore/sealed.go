package sqlstore

import (
	"context"
	"fmt"

	"github.com/gatehouse/gatehouse/internal/core"
)

// SealedColumn is a column whose values are sealed with the master key
// (keys.Sealer), and the column that names its row.
type SealedColumn struct {
	Table, Key, Column string
}

func (c SealedColumn) String() string { return c.Table + "." + c.Column }

// SealedColumns is every column of the schema that holds sealed values, in
// one place: `gatehouse key rotate-master` re-seals what they hold under a
// new master key. A test compares this list with the migrated schema of
// both dialects (every binary column is here or in NotSealed), so that a
// new sealed column cannot be forgotten.
var SealedColumns = []SealedColumn{
	{Table: "keys", Key: "kid", Column: "private_sealed"},              // signing and credential keys
	{Table: "bank_totp", Key: "user_id", Column: "sealed"},             // TOTP secrets
	{Table: "outbox", Key: "id", Column: "sealed"},                     // queued mail and texts (they carry codes)
	{Table: "refresh_tokens", Key: "hash", Column: "successor_sealed"}, // a spent token's successor, kept for the grace
	{Table: "idempotency_keys", Key: "id", Column: "sealed"},           // answers kept for an Idempotency-Key
	{Table: "secrets", Key: "name", Column: "sealed"},                  // server-wide secret keys (the bank's refresh-token HMAC key)
}

// NotSealed are the binary columns that hold no secret the master key
// protects: hashes of secrets (which cannot be opened, and need no
// re-sealing) and public data.
var NotSealed = []string{
	"refresh_tokens.hash", "refresh_tokens.parent_hash", "refresh_tokens.successor_hash",
	"codes.hash", "bank_clients.secret_hash", "bank_devices.fingerprint_hash",
	"bank_recovery_codes.hash", "bank_otp.code_hash", "bank_ciphertexts.hash",
	"api_keys.hash", "cashier_profiles.cert_der",
	"idempotency_keys.id", "idempotency_keys.request_hash",
	"mfa_challenges.hash", "mfa_challenges.stamp",
	"oauth_codes.hash", "oauth_device_codes.device_hash", "oauth_device_codes.user_hash",
}

// ResealReport counts, per sealed column, the values read, those
// re-sealed, those that changed under the re-sealing (a node wrote or
// cleared them meanwhile: they were left as the node wrote them), and
// names the rows whose values could not be opened.
type ResealReport struct {
	Columns []ResealCount
	Failed  []string // "table.column key=…", never the value
}

// ResealCount is one column's line of a ResealReport.
type ResealCount struct {
	Column                   SealedColumn
	Read, Resealed, Meantime int
}

// resealPage is how many rows one query reads.
const resealPage = 200

// Reseal passes every sealed value (SealedColumns) to fn and stores what
// fn returns in its place when fn reports a change. Rows are read in
// pages and each is updated alone, only if its value is still the one
// read, so that nodes keep serving meanwhile: a value a node changed or
// cleared in between is left as the node wrote it. A value fn cannot
// handle is named in the report and skipped; the store's errors stop it.
func (s *Store) Reseal(ctx context.Context, fn func(sealed []byte) ([]byte, bool, error)) (rep ResealReport, err error) {
	defer core.Op(&err, "sqlstore.Reseal")
	for _, c := range SealedColumns {
		count := ResealCount{Column: c}
		err := s.eachSealed(ctx, c, func(key any, sealed []byte) error {
			count.Read++
			out, changed, err := fn(sealed)
			if err != nil {
				rep.Failed = append(rep.Failed, fmt.Sprintf("%s %s=%s", c, c.Key, keyText(key)))
				return nil
			}
			if !changed {
				return nil
			}
			res, err := s.q.ExecContext(ctx, `UPDATE `+c.Table+` SET `+c.Column+` = $1 WHERE `+c.Key+` = $2 AND `+c.Column+` = $3`, out, key, sealed)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				count.Meantime++
				return err
			}
			count.Resealed++
			return nil
		})
		if err != nil {
			return rep, fmt.Errorf("%s: %w", c, err)
		}
		rep.Columns = append(rep.Columns, count)
	}
	return rep, nil
}

// eachSealed calls fn with the key and value of every row of c whose
// value is not NULL, in key order, a page at a time.
func (s *Store) eachSealed(ctx context.Context, c SealedColumn, fn func(key any, sealed []byte) error) error {
	var after any
	for {
		q := `SELECT ` + c.Key + `, ` + c.Column + ` FROM ` + c.Table + ` WHERE ` + c.Column + ` IS NOT NULL`
		args := []any{}
		if after != nil {
			q += ` AND ` + c.Key + ` > $1`
			args = append(args, after)
		}
		rows, err := s.q.QueryContext(ctx, q+` ORDER BY `+c.Key+fmt.Sprintf(` LIMIT %d`, resealPage), args...)
		if err != nil {
			return err
		}
		type row struct {
			key    any
			sealed []byte
		}
		var page []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.key, &r.sealed); err != nil {
				rows.Close()
				return err
			}
			page = append(page, r)
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range page {
			if err := fn(r.key, r.sealed); err != nil {
				return err
			}
			after = r.key
		}
		if len(page) < resealPage {
			return nil
		}
	}
}

// keyText shows a row's key in a report: numbers and text as they are,
// hashes in hex.
func keyText(key any) string {
	if b, ok := key.([]byte); ok {
		return fmt.Sprintf("%x", b)
	}
	return fmt.Sprint(key)
}
