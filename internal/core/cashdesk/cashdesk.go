package cashdesk

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// The cashdesk door's domain (the cashdesk API): the cashier's profile (full name,
// tax ids, signature certificate, developer), cash registers and shifts.

// CashierProfile holds what the cashdesk door reports about a user beyond
// the identity: the cashdesk API's full_name, edrpou, drfo, subject_key_id,
// signature and developer_id. Empty strings and nil mean "not set".
type CashierProfile struct {
	UserID      int64
	FullName    string
	EDRPOU      string
	DRFO        string
	DeveloperID *int64
	Cert        *Certificate
	UpdatedAt   time.Time
}

// Developer is an integrator (an API client of the cash-register service):
// the published API's developer_id is its number.
type Developer struct {
	ID        int64
	Name      string
	CreatedAt time.Time
}

// Register is a cash register (РРО/ПРРО), created by an administrator and
// assigned to the users who may open shifts on it.
type Register struct {
	ID           int64
	FiscalNumber string
	Name         string
	CreatedAt    time.Time
	UserIDs      []int64
}

// Shift is a work shift of one cashier on one register. A register and a
// user each have at most one open shift.
type Shift struct {
	ID         int64
	RegisterID int64
	UserID     int64
	OpenedAt   time.Time
	ClosedAt   *time.Time
}

// CashierUpdate changes profile fields; a nil field is left alone and an
// empty string clears it.
type CashierUpdate struct {
	FullName *string
	EDRPOU   *string
	DRFO     *string
}

// Cashier returns the user's cashier profile, a zero one (UserID set) when
// the user never set anything.
func (s *Service) Cashier(ctx context.Context, userID int64) (CashierProfile, error) {
	p, err := s.store.CashierProfile(ctx, userID)
	if errors.Is(err, core.ErrNotFound) {
		return CashierProfile{UserID: userID}, nil
	}
	return p, err
}

// UpdateCashier validates and applies u: EDRPOU and DRFO must pass their
// check digits (KindInvalid errors name the field).
func (s *Service) UpdateCashier(ctx context.Context, userID int64, u CashierUpdate) (p CashierProfile, err error) {
	defer core.Op(&err, "UpdateCashier")
	if err := u.validate(); err != nil {
		return CashierProfile{}, err
	}
	// The tax ids go on receipts, so who changed them is worth a trail;
	// the values themselves stay in the profile, the event names the fields.
	var fields []string
	for name, set := range map[string]bool{"full_name": u.FullName != nil, "edrpou": u.EDRPOU != nil, "drfo": u.DRFO != nil} {
		if set {
			fields = append(fields, name)
		}
	}
	slices.Sort(fields)
	e := identity.AuditEvent{Type: identity.AuditCashierUpdated, UserID: userID, Actor: identity.ActorFor(ctx, userID), Detail: map[string]string{"fields": strings.Join(fields, ",")}}
	err = s.audited(ctx, e, func(tx Store) (err error) {
		p, err = tx.UpdateCashierProfile(ctx, userID, func(p *CashierProfile) error {
			if u.FullName != nil {
				p.FullName = strings.TrimSpace(*u.FullName)
			}
			if u.EDRPOU != nil {
				p.EDRPOU = *u.EDRPOU
			}
			if u.DRFO != nil {
				p.DRFO = *u.DRFO
			}
			p.UpdatedAt = s.now()
			return nil
		})
		return err
	})
	return p, err
}

func (u CashierUpdate) validate() error {
	if u.FullName != nil && !core.IsText(*u.FullName) {
		return core.InvalidText("full_name")
	}
	if u.FullName != nil && len(*u.FullName) > 300 {
		return core.Invalid("invalid_full_name", "full_name", "full_name must be one line of text, at most 300 bytes")
	}
	if u.EDRPOU != nil && *u.EDRPOU != "" && !ValidEDRPOU(*u.EDRPOU) {
		return core.Invalid("invalid_edrpou", "edrpou", "edrpou must be 8 digits with a valid check digit")
	}
	if u.DRFO != nil && *u.DRFO != "" && !ValidDRFO(*u.DRFO) {
		return core.Invalid("invalid_drfo", "drfo", "drfo must be a 10-digit RNOKPP with a valid check digit")
	}
	return nil
}

// SetCertificate parses an uploaded certificate (PEM or DER, see
// ParseCertificate) and keeps it as the user's signature certificate.
func (s *Service) SetCertificate(ctx context.Context, userID int64, data []byte) (p CashierProfile, err error) {
	defer core.Op(&err, "SetCertificate")
	now := s.now()
	c, err := ParseCertificate(data, now)
	if err != nil {
		return CashierProfile{}, err
	}
	c.UploadedAt = now
	e := identity.AuditEvent{Type: identity.AuditCertificateUploaded, UserID: userID, Actor: identity.ActorFor(ctx, userID), Subject: c.Serial,
		Detail: map[string]string{"subject_key_id": c.SubjectKeyID, "not_after": c.NotAfter.UTC().Format(time.RFC3339)}}
	err = s.audited(ctx, e, func(tx Store) (err error) {
		p, err = tx.UpdateCashierProfile(ctx, userID, func(p *CashierProfile) error {
			cc := c
			p.Cert, p.UpdatedAt = &cc, now
			return nil
		})
		return err
	})
	return p, err
}

// RemoveCertificate forgets the user's certificate (not an error when none).
func (s *Service) RemoveCertificate(ctx context.Context, userID int64) (p CashierProfile, err error) {
	e := identity.AuditEvent{Type: identity.AuditCertificateRemoved, UserID: userID, Actor: identity.ActorFor(ctx, userID)}
	err = s.audited(ctx, e, func(tx Store) (err error) {
		p, err = tx.UpdateCashierProfile(ctx, userID, func(p *CashierProfile) error {
			p.Cert, p.UpdatedAt = nil, s.now()
			return nil
		})
		return err
	})
	return p, err
}

// SetDeveloper names (or, with nil, clears) the developer a cashier works
// through; an operator's act. ErrNotFound when the developer does not exist.
func (s *Service) SetDeveloper(ctx context.Context, userID int64, developerID *int64) (p CashierProfile, err error) {
	defer core.Op(&err, "SetDeveloper")
	if developerID != nil {
		if _, err := s.store.DeveloperByID(ctx, *developerID); err != nil {
			return CashierProfile{}, err
		}
	}
	dev := ""
	if developerID != nil {
		dev = idString(*developerID)
	}
	e := identity.AdminEvent(identity.AuditAdminDeveloper, "set", dev)
	e.UserID = userID
	err = s.audited(ctx, e, func(tx Store) (err error) {
		p, err = tx.UpdateCashierProfile(ctx, userID, func(p *CashierProfile) error {
			p.DeveloperID, p.UpdatedAt = developerID, s.now()
			return nil
		})
		return err
	})
	return p, err
}

// CreateDeveloper registers an integrator by name (1–200 bytes).
func (s *Service) CreateDeveloper(ctx context.Context, name string) (d Developer, err error) {
	defer core.Op(&err, "CreateDeveloper")
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 || !utf8.ValidString(name) {
		return Developer{}, core.Invalid("invalid_name", "name", "name is required, at most 200 bytes")
	}
	d = Developer{Name: name, CreatedAt: s.now()}
	err = s.store.Tx(ctx, func(tx Store) error {
		if err := tx.CreateDeveloper(ctx, &d); err != nil {
			return err
		}
		return s.identity.Audit(ctx, tx, identity.AdminEvent(identity.AuditAdminDeveloper, "created", idString(d.ID), "name", d.Name))
	})
	return d, err
}

// Developers lists the integrators.
func (s *Service) Developers(ctx context.Context) ([]Developer, error) {
	return s.store.Developers(ctx)
}

var fiscalRe = regexp.MustCompile(`^[0-9]{1,20}$`)

// CreateRegister adds a cash register. The fiscal number (the tax service's
// registration number of the register) is 1–20 digits and unique.
func (s *Service) CreateRegister(ctx context.Context, fiscalNumber, name string) (r Register, err error) {
	defer core.Op(&err, "CreateRegister")
	if !fiscalRe.MatchString(fiscalNumber) {
		return Register{}, core.Invalid("invalid_fiscal_number", "fiscal_number", "fiscal_number must be 1–20 digits")
	}
	if len(name) > 200 || !utf8.ValidString(name) {
		return Register{}, core.Invalid("invalid_name", "name", "name must be text of at most 200 bytes")
	}
	r = Register{FiscalNumber: fiscalNumber, Name: strings.TrimSpace(name), CreatedAt: s.now(), UserIDs: []int64{}}
	err = s.store.Tx(ctx, func(tx Store) error {
		if err := tx.CreateRegister(ctx, &r); err != nil {
			return err
		}
		return s.identity.Audit(ctx, tx, identity.AdminEvent(identity.AuditAdminRegister, "created", idString(r.ID), "fiscal_number", fiscalNumber))
	})
	return r, err
}
