package bank

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/phone"
)

// Customers, their roles and memberships, and users' bank profiles: the
// operator's side of the bank door (admin API and CLI).

// CreateCustomer adds a company; c.ID may be given (the bank's own number)
// or left zero to be assigned. ErrExists when the id is taken.
func (s *Service) CreateCustomer(ctx context.Context, c Customer) (_ Customer, err error) {
	defer core.Op(&err, "CreateCustomer")
	if err := checkCustomer(c); err != nil {
		return Customer{}, err
	}
	c.CreatedAt, c.UpdatedAt = s.now(), s.now()
	err = s.store.Tx(ctx, func(tx Store) error {
		if err := tx.CreateCustomer(ctx, &c); err != nil {
			return err
		}
		return s.Identity.Audit(ctx, tx, identity.AdminEvent(identity.AuditAdminCustomer, "created", idString(c.ID)))
	})
	if err != nil {
		return Customer{}, err
	}
	return c, nil
}

func idString(n int64) string { return strconv.FormatInt(n, 10) }

// UpdateCustomer replaces the customer's name, external id and branch code.
func (s *Service) UpdateCustomer(ctx context.Context, c Customer) (_ Customer, err error) {
	defer core.Op(&err, "UpdateCustomer")
	if err := checkCustomer(c); err != nil {
		return Customer{}, err
	}
	var out Customer
	err = s.audited(ctx, identity.AdminEvent(identity.AuditAdminCustomer, "updated", idString(c.ID)), func(tx Store) (err error) {
		out, err = tx.UpdateCustomer(ctx, c.ID, func(x *Customer) error {
			x.Name, x.ExternalID, x.BranchCode, x.UpdatedAt = c.Name, c.ExternalID, c.BranchCode, s.now()
			return nil
		})
		return err
	})
	return out, err
}

// DeleteCustomer removes a customer (see Store.DeleteCustomer for when it
// may not).
func (s *Service) DeleteCustomer(ctx context.Context, customerID int64) error {
	return s.audited(ctx, identity.AdminEvent(identity.AuditAdminCustomer, "deleted", idString(customerID)), func(tx Store) error {
		return tx.DeleteCustomer(ctx, customerID)
	})
}

func checkCustomer(c Customer) error {
	if c.ID < 0 || c.ID >= 1<<53 {
		return core.Invalid("invalid_id", "id", "id must be between 1 and 2^53")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(c.Name)); n == 0 || n > 200 {
		return core.Invalid("invalid_name", "name", "name: 1 to 200 characters")
	}
	if len(c.ExternalID) > 100 || len(c.BranchCode) > 50 {
		return core.Invalid("invalid_field", "external_id", "external_id at most 100, branch_code at most 50 characters")
	}
	return nil
}

var roleCodePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,49}$`)

// CheckChains validates an auth-factor policy: at most 8 alternative
// chains, each of 1 to 3 distinct known factors.
func CheckChains(chains [][]string) error {
	if len(chains) > 8 {
		return core.Invalid("invalid_chains", "chains", "at most 8 chains")
	}
	for _, ch := range chains {
		if len(ch) == 0 || len(ch) > 3 {
			return core.Invalid("invalid_chains", "chains", "a chain has 1 to 3 factors")
		}
		for i, f := range ch {
			if !slices.Contains(ChainFactors(), f) {
				return core.Invalid("invalid_chains", "chains", "unknown factor "+f+" (want OTP_SMS, OTP_EMAIL or TOTP)")
			}
			if slices.Contains(ch[:i], f) {
				return core.Invalid("invalid_chains", "chains", "factor "+f+" twice in one chain")
			}
		}
	}
	return nil
}

func checkRole(r CustomerRole) error {
	if !roleCodePattern.MatchString(r.Code) {
		return core.Invalid("invalid_code", "code", "role code: upper-case letters, digits and '_', starting with a letter")
	}
	if utf8.RuneCountInString(r.Name) > 200 || len(r.SignLevel) > 50 {
		return core.Invalid("invalid_field", "name", "name at most 200, sign_level at most 50 characters")
	}
	return CheckChains(r.Chains)
}

// CreateCustomerRole adds a role with its policy, at version 1.
func (s *Service) CreateCustomerRole(ctx context.Context, r CustomerRole) (_ CustomerRole, err error) {
	defer core.Op(&err, "CreateCustomerRole")
	if err := checkRole(r); err != nil {
		return CustomerRole{}, err
	}
	r.ID, r.Version, r.CreatedAt, r.UpdatedAt = 0, 1, s.now(), s.now()
	err = s.store.Tx(ctx, func(tx Store) error {
		if err := tx.CreateCustomerRole(ctx, &r); err != nil {
			return err
		}
		return s.Identity.Audit(ctx, tx, identity.AdminEvent(identity.AuditAdminRole, "created", idString(r.ID), "code", r.Code, "version", "1"))
	})
	if err != nil {
		return CustomerRole{}, err
	}
	return r, nil
}

// UpdateCustomerRole replaces a role's name and policy and raises its
// version, so that sessions under the old policy must log in again.
func (s *Service) UpdateCustomerRole(ctx context.Context, r CustomerRole) (_ CustomerRole, err error) {
	defer core.Op(&err, "UpdateCustomerRole")
	if err := checkRole(r); err != nil {
		return CustomerRole{}, err
	}
	var out CustomerRole
	err = s.store.Tx(ctx, func(tx Store) (err error) {
		out, err = tx.UpdateCustomerRole(ctx, r.ID, func(x *CustomerRole) error {
			x.Code, x.Name, x.Chains, x.DeviceSkip, x.SignLevel = r.Code, r.Name, r.Chains, r.DeviceSkip, r.SignLevel
			x.Version++
			x.UpdatedAt = s.now()
			return nil
		})
		if err != nil {
			return err
		}
		return s.Identity.Audit(ctx, tx, identity.AdminEvent(identity.AuditAdminRole, "updated", idString(out.ID), "code", out.Code, "version", strconv.FormatInt(out.Version, 10)))
	})
	return out, err
}

// DeleteCustomerRole removes a role (ErrInUse while memberships hold it).
func (s *Service) DeleteCustomerRole(ctx context.Context, roleID int64) error {
	return s.audited(ctx, identity.AdminEvent(identity.AuditAdminRole, "deleted", idString(roleID)), func(tx Store) error {
		return tx.DeleteCustomerRole(ctx, roleID)
	})
}

// SetMembership makes the user a member of the customer with the role (or
// changes the role). ErrNotFound when one of them does not exist.
func (s *Service) SetMembership(ctx context.Context, userID, customerID, roleID int64) (m Membership, err error) {
	defer core.Op(&err, "SetMembership")
	m = Membership{UserID: userID, CustomerID: customerID, RoleID: roleID, CreatedAt: s.now()}
	e := identity.AdminEvent(identity.AuditAdminMembership, "set", idString(customerID), "role_id", idString(roleID))
	e.UserID = userID
	if err := s.audited(ctx, e, func(tx Store) error { return tx.PutMembership(ctx, &m) }); err != nil {
		return Membership{}, err
	}
	return s.store.MembershipOf(ctx, userID, customerID)
}

// RemoveMembership ends the user's membership of the customer.
func (s *Service) RemoveMembership(ctx context.Context, userID, customerID int64) error {
	e := identity.AdminEvent(identity.AuditAdminMembership, "removed", idString(customerID))
	e.UserID = userID
	return s.audited(ctx, e, func(tx Store) error { return tx.DeleteMembership(ctx, userID, customerID) })
}

// SetBankProfile sets the user's IIN (validated) and phone, normalised to
// E.164 (phone.Normalize, with Policy.PhoneRegion); "" removes the phone.
func (s *Service) SetBankProfile(ctx context.Context, p Profile) (_ Profile, err error) {
	defer core.Op(&err, "SetBankProfile")
	if !ValidIIN(p.IIN) {
		return Profile{}, core.ErrInvalidIIN
	}
	if p.Phone != "" {
		if p.Phone, err = phone.Normalize(p.Phone, s.Identity.Policy.PhoneRegion); err != nil {
			return Profile{}, err
		}
	}
	p.UpdatedAt = s.now()
	// The IIN and phone are personal data and factor destinations: the row
	// says that they changed, not what they are.
	e := identity.AdminEvent(identity.AuditAdminProfile, "set", idString(p.UserID), "phone_set", strconv.FormatBool(p.Phone != ""))
	e.UserID = p.UserID
	if err := s.audited(ctx, e, func(tx Store) error { return tx.PutBankProfile(ctx, &p) }); err != nil {
		return Profile{}, err
	}
	return p, nil
}

// Customers pages through the customers (for operators).
func (s *Service) Customers(ctx context.Context, limit, offset int) ([]Customer, int, error) {
	return s.store.ListCustomers(ctx, limit, offset)
}

// Customer returns one customer; ErrNotFound when absent.
func (s *Service) Customer(ctx context.Context, id int64) (Customer, error) {
	return s.store.CustomerByID(ctx, id)
}

// Members lists the memberships of a customer; ErrNotFound when the
// customer does not exist.
func (s *Service) Members(ctx context.Context, customerID int64) ([]Membership, error) {
	if _, err := s.store.CustomerByID(ctx, customerID); err != nil {
		return nil, err
	}
	return s.store.MembersOf(ctx, customerID)
}

// MembershipsOf lists the user's memberships, each with its customer and
// role (the admin console's view of one user).
func (s *Service) MembershipsOf(ctx context.Context, userID int64) ([]Membership, error) {
	return s.store.MembershipsOfUser(ctx, userID)
}

// Roles lists the customer roles with their policies.
func (s *Service) Roles(ctx context.Context) ([]CustomerRole, error) {
	return s.store.ListCustomerRoles(ctx)
}

// Role returns one customer role; ErrNotFound when absent.
func (s *Service) Role(ctx context.Context, id int64) (CustomerRole, error) {
	return s.store.CustomerRoleByID(ctx, id)
}

// ProfileOf returns the user's bank profile; ErrNotFound when the user has
// none.
func (s *Service) ProfileOf(ctx context.Context, userID int64) (Profile, error) {
	return s.store.BankProfileOf(ctx, userID)
}
