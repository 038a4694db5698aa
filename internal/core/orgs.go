package core

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Customers, their roles and memberships, and users' bank profiles: the
// operator's side of the bank door (admin API and CLI).

// CreateCustomer adds a company; c.ID may be given (the bank's own number)
// or left zero to be assigned. ErrExists when the id is taken.
func (s *Service) CreateCustomer(ctx context.Context, c Customer) (_ Customer, err error) {
	defer Op(&err, "CreateCustomer")
	if err := checkCustomer(c); err != nil {
		return Customer{}, err
	}
	c.CreatedAt, c.UpdatedAt = s.now(), s.now()
	if err := s.Store.CreateCustomer(ctx, &c); err != nil {
		return Customer{}, err
	}
	return c, nil
}

// UpdateCustomer replaces the customer's name, external id and branch code.
func (s *Service) UpdateCustomer(ctx context.Context, c Customer) (_ Customer, err error) {
	defer Op(&err, "UpdateCustomer")
	if err := checkCustomer(c); err != nil {
		return Customer{}, err
	}
	return s.Store.UpdateCustomer(ctx, c.ID, func(x *Customer) error {
		x.Name, x.ExternalID, x.BranchCode, x.UpdatedAt = c.Name, c.ExternalID, c.BranchCode, s.now()
		return nil
	})
}

func checkCustomer(c Customer) error {
	if c.ID < 0 || c.ID >= 1<<53 {
		return Invalid("invalid_id", "id", "id must be between 1 and 2^53")
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(c.Name)); n == 0 || n > 200 {
		return Invalid("invalid_name", "name", "name: 1 to 200 characters")
	}
	if len(c.ExternalID) > 100 || len(c.BranchCode) > 50 {
		return Invalid("invalid_field", "external_id", "external_id at most 100, branch_code at most 50 characters")
	}
	return nil
}

var roleCodePattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,49}$`)

// CheckChains validates an auth-factor policy: at most 8 alternative
// chains, each of 1 to 3 distinct known factors.
func CheckChains(chains [][]string) error {
	if len(chains) > 8 {
		return Invalid("invalid_chains", "chains", "at most 8 chains")
	}
	for _, ch := range chains {
		if len(ch) == 0 || len(ch) > 3 {
			return Invalid("invalid_chains", "chains", "a chain has 1 to 3 factors")
		}
		for i, f := range ch {
			if !slices.Contains(Factors(), f) {
				return Invalid("invalid_chains", "chains", "unknown factor "+f+" (want OTP_SMS, OTP_EMAIL or TOTP)")
			}
			if slices.Contains(ch[:i], f) {
				return Invalid("invalid_chains", "chains", "factor "+f+" twice in one chain")
			}
		}
	}
	return nil
}

func checkRole(r CustomerRole) error {
	if !roleCodePattern.MatchString(r.Code) {
		return Invalid("invalid_code", "code", "role code: upper-case letters, digits and '_', starting with a letter")
	}
	if utf8.RuneCountInString(r.Name) > 200 || len(r.SignLevel) > 50 {
		return Invalid("invalid_field", "name", "name at most 200, sign_level at most 50 characters")
	}
	return CheckChains(r.Chains)
}

// CreateCustomerRole adds a role with its policy, at version 1.
func (s *Service) CreateCustomerRole(ctx context.Context, r CustomerRole) (_ CustomerRole, err error) {
	defer Op(&err, "CreateCustomerRole")
	if err := checkRole(r); err != nil {
		return CustomerRole{}, err
	}
	r.ID, r.Version, r.CreatedAt, r.UpdatedAt = 0, 1, s.now(), s.now()
	if err := s.Store.CreateCustomerRole(ctx, &r); err != nil {
		return CustomerRole{}, err
	}
	return r, nil
}

// UpdateCustomerRole replaces a role's name and policy and raises its
// version, so that sessions under the old policy must log in again.
func (s *Service) UpdateCustomerRole(ctx context.Context, r CustomerRole) (_ CustomerRole, err error) {
	defer Op(&err, "UpdateCustomerRole")
	if err := checkRole(r); err != nil {
		return CustomerRole{}, err
	}
	return s.Store.UpdateCustomerRole(ctx, r.ID, func(x *CustomerRole) error {
		x.Code, x.Name, x.Chains, x.DeviceSkip, x.SignLevel = r.Code, r.Name, r.Chains, r.DeviceSkip, r.SignLevel
		x.Version++
		x.UpdatedAt = s.now()
		return nil
	})
}

// SetMembership makes the user a member of the customer with the role (or
// changes the role). ErrNotFound when one of them does not exist.
func (s *Service) SetMembership(ctx context.Context, userID, customerID, roleID int64) (m Membership, err error) {
	defer Op(&err, "SetMembership")
	m = Membership{UserID: userID, CustomerID: customerID, RoleID: roleID, CreatedAt: s.now()}
	if err := s.Store.PutMembership(ctx, &m); err != nil {
		return Membership{}, err
	}
	return s.Store.MembershipOf(ctx, userID, customerID)
}

// SetBankProfile sets the user's IIN (validated) and phone (E.164).
func (s *Service) SetBankProfile(ctx context.Context, p BankProfile) (_ BankProfile, err error) {
	defer Op(&err, "SetBankProfile")
	if !ValidIIN(p.IIN) {
		return BankProfile{}, ErrInvalidIIN
	}
	if p.Phone != "" && !ValidPhone(p.Phone) {
		return BankProfile{}, Invalid("invalid_phone", "phone", "phone must be E.164: + and 8 to 15 digits")
	}
	p.UpdatedAt = s.now()
	if err := s.Store.PutBankProfile(ctx, &p); err != nil {
		return BankProfile{}, err
	}
	return p, nil
}

// ValidPhone reports whether p is an E.164 number: '+', then 8 to 15 digits.
func ValidPhone(p string) bool {
	if len(p) < 9 || len(p) > 16 || p[0] != '+' || p[1] == '0' {
		return false
	}
	for _, c := range p[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
