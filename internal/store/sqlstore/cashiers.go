package sqlstore

import (
	"context"
	"database/sql"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/cashdesk"
)

const profileColumns = `user_id, full_name, edrpou, drfo, developer_id, cert_der, cert_subject_key_id,
	cert_serial, cert_subject, cert_not_before, cert_not_after, cert_uploaded_at, updated_at`

// CashierProfile returns the user's profile; ErrNotFound when none was written.
func (s *Store) CashierProfile(ctx context.Context, userID int64) (p cashdesk.CashierProfile, err error) {
	defer core.Op(&err, "sqlstore.CashierProfile")
	row := s.q.QueryRowContext(ctx, `SELECT `+profileColumns+` FROM cashier_profiles WHERE user_id = $1`, userID)
	p, err = scanProfile(row.Scan)
	return p, notFound(err)
}

// UpdateCashierProfile makes sure a row exists (so that the lock below
// always has a row to hold, even for a first write racing another), locks
// it, applies fn and writes the result back.
func (s *Store) UpdateCashierProfile(ctx context.Context, userID int64, fn func(*cashdesk.CashierProfile) error) (p cashdesk.CashierProfile, err error) {
	defer core.Op(&err, "sqlstore.UpdateCashierProfile")
	err = s.Tx(ctx, func(st Backend) error {
		ts := st.(*Store)
		_, err := ts.q.ExecContext(ctx, `INSERT INTO cashier_profiles (user_id, updated_at) VALUES ($1, 0)
			ON CONFLICT (user_id) DO NOTHING`, userID)
		if ts.violation(err) == ForeignKeyViolation {
			return core.ErrNotFound.With(err)
		}
		if err != nil {
			return err
		}
		row := ts.q.QueryRowContext(ctx, `SELECT `+profileColumns+` FROM cashier_profiles WHERE user_id = $1`+ts.d.ForUpdate, userID)
		cur, err := scanProfile(row.Scan)
		if err != nil {
			return err
		}
		if err := fn(&cur); err != nil {
			return err
		}
		cur.UserID = userID
		if err := ts.writeProfile(ctx, cur); err != nil {
			return err
		}
		p = cur
		return nil
	})
	if err != nil {
		return cashdesk.CashierProfile{}, err
	}
	return p, nil
}

func (s *Store) writeProfile(ctx context.Context, p cashdesk.CashierProfile) error {
	var der []byte
	var skid, serial, subject string
	var notBefore, notAfter, uploaded sql.NullInt64
	if c := p.Cert; c != nil {
		der, skid, serial, subject = c.DER, c.SubjectKeyID, c.Serial, c.Subject
		notBefore, notAfter, uploaded = nullMicros(&c.NotBefore), nullMicros(&c.NotAfter), nullMicros(&c.UploadedAt)
	}
	var dev sql.NullInt64
	if p.DeveloperID != nil {
		dev = sql.NullInt64{Int64: *p.DeveloperID, Valid: true}
	}
	_, err := s.q.ExecContext(ctx, `UPDATE cashier_profiles SET full_name = $1, edrpou = $2, drfo = $3,
		developer_id = $4, cert_der = $5, cert_subject_key_id = $6, cert_serial = $7, cert_subject = $8,
		cert_not_before = $9, cert_not_after = $10, cert_uploaded_at = $11, updated_at = $12 WHERE user_id = $13`,
		p.FullName, p.EDRPOU, p.DRFO, dev, der, skid, serial, subject, notBefore, notAfter, uploaded,
		micros(p.UpdatedAt), p.UserID)
	if s.violation(err) == ForeignKeyViolation {
		return core.ErrNotFound.With(err)
	}
	return err
}

func scanProfile(scan func(...any) error) (cashdesk.CashierProfile, error) {
	var p cashdesk.CashierProfile
	var dev, notBefore, notAfter, uploaded sql.NullInt64
	var der []byte
	var skid, serial, subject string
	var updated int64
	err := scan(&p.UserID, &p.FullName, &p.EDRPOU, &p.DRFO, &dev, &der, &skid, &serial, &subject,
		&notBefore, &notAfter, &uploaded, &updated)
	if err != nil {
		return cashdesk.CashierProfile{}, err
	}
	if dev.Valid {
		id := dev.Int64
		p.DeveloperID = &id
	}
	if der != nil {
		p.Cert = &cashdesk.Certificate{
			DER: der, SubjectKeyID: skid, Serial: serial, Subject: subject,
			NotBefore: fromMicros(notBefore.Int64), NotAfter: fromMicros(notAfter.Int64), UploadedAt: fromMicros(uploaded.Int64),
		}
	}
	p.UpdatedAt = fromMicros(updated)
	return p, nil
}

// CreateDeveloper inserts d, filling ID.
func (s *Store) CreateDeveloper(ctx context.Context, d *cashdesk.Developer) (err error) {
	defer core.Op(&err, "sqlstore.CreateDeveloper")
	return s.q.QueryRowContext(ctx, `INSERT INTO developers (name, created_at) VALUES ($1, $2) RETURNING id`,
		d.Name, micros(d.CreatedAt)).Scan(&d.ID)
}

// DeveloperByID returns ErrNotFound when absent.
func (s *Store) DeveloperByID(ctx context.Context, id int64) (d cashdesk.Developer, err error) {
	defer core.Op(&err, "sqlstore.DeveloperByID")
	var created int64
	err = s.q.QueryRowContext(ctx, `SELECT id, name, created_at FROM developers WHERE id = $1`, id).Scan(&d.ID, &d.Name, &created)
	d.CreatedAt = fromMicros(created)
	return d, notFound(err)
}

// Developers lists every developer by ID.
func (s *Store) Developers(ctx context.Context) (list []cashdesk.Developer, err error) {
	defer core.Op(&err, "sqlstore.Developers")
	rows, err := s.q.QueryContext(ctx, `SELECT id, name, created_at FROM developers ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var d cashdesk.Developer
		var created int64
		if err := rows.Scan(&d.ID, &d.Name, &created); err != nil {
			return nil, err
		}
		d.CreatedAt = fromMicros(created)
		list = append(list, d)
	}
	return list, rows.Err()
}
