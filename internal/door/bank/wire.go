package bank

import (
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	bankcore "github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/httpjson"
)

// tokenAnswer is the published API's answer object (the bank API "Ответ / Response
// object"), every row of its table in the table's order with its type.
// Rows 16-19 (auth_factor_chain, role object, id, code) are the items of
// roles_auth_factors (docs/bank.md); the top-level role is a string.
type tokenAnswer struct {
	AccessToken          string           `json:"access_token"`
	TokenType            string           `json:"token_type"`
	RefreshToken         string           `json:"refresh_token"`
	ExpiresIn            int64            `json:"expires_in"`
	Scope                string           `json:"scope"`
	PassedAuthFactors    []string         `json:"passed_auth_factors"`
	CustomerExternalID   *string          `json:"customer_external_id"`
	ChainType            string           `json:"chain_type"`
	Role                 string           `json:"role"`
	Created              string           `json:"created"`
	RoleVersion          int64            `json:"role_version"`
	CusUniqueIDN         *string          `json:"cus_unique_idn"` // null for an account without a bank profile
	IsPasswordChange     bool             `json:"is_password_change"`
	SignLevel            *string          `json:"sign_level"`
	RolesAuthFactors     []roleAuthFactor `json:"roles_auth_factors"`
	UserType             string           `json:"user_type"`
	SuggestAddDevice     bool             `json:"suggest_add_device"`
	UserID               int64            `json:"user_id"`
	RoleID               int64            `json:"role_id"`
	BankBranchCode       *string          `json:"bank_branch_code"`
	DecryptedUsername    string           `json:"decrypted_username"`
	CanSkip              bool             `json:"can_skip"`
	IsDeviceTrusted      bool             `json:"is_device_trusted"`
	OTPStrategy          string           `json:"otp_strategy"`
	PossibleChains       [][]string       `json:"possible_chains"`
	CustomerUserID       int64            `json:"customer_user_id"`
	Customers            []customer       `json:"customers"`
	CustomerID           *int64           `json:"customer_id"`
	DigitalSignatureType *string          `json:"digital_signature_type"`
	JTI                  string           `json:"jti"`
	// Beyond the published table (docs/bank.md "The required action"):
	// present only when set.
	RequiredAction string   `json:"required_action,omitempty"`
	RecoveryCodes  []string `json:"recovery_codes,omitempty"`
}

type roleAuthFactor struct {
	AuthFactorChain []string `json:"auth_factor_chain"`
	Role            roleRef  `json:"role"`
}

type roleRef struct {
	ID   int64  `json:"id"`
	Code string `json:"code"`
}

type customer struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// createdLayout is the published API's "YYYY-MM-DDTHH:mm:ss.fff", local time of the
// bank's zone, without an offset (as in the published API's example).
const createdLayout = "2006-01-02T15:04:05.000"

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// answer converts a core step result for the wire.
func answer(l bankcore.Login, zone *time.Location) tokenAnswer {
	a := tokenAnswer{
		AccessToken: l.Pair.Access, TokenType: "bearer", RefreshToken: l.Pair.Refresh,
		ExpiresIn: int64(l.Pair.ExpiresIn / time.Second), Scope: "ALL",
		PassedAuthFactors: append([]string{}, l.State.Passed...), ChainType: l.State.ChainType,
		Role: l.State.Role(), Created: l.Created.In(zone).Format(createdLayout), RoleVersion: l.State.RoleVersion,
		CusUniqueIDN: nullable(l.Profile.IIN), RolesAuthFactors: []roleAuthFactor{}, UserType: l.State.UserType,
		SuggestAddDevice: l.SuggestAddDevice, UserID: l.User.ID, RoleID: l.State.RoleID,
		DecryptedUsername: l.State.Username, CanSkip: l.CanSkip, IsDeviceTrusted: l.DeviceTrusted,
		OTPStrategy: l.OTPStrategy, PossibleChains: l.PossibleChains, Customers: []customer{}, JTI: l.Pair.JTI,
		RequiredAction: l.RequiredAction, RecoveryCodes: l.RecoveryCodes,
	}
	if a.PossibleChains == nil {
		a.PossibleChains = [][]string{}
	}
	for _, c := range l.Customers {
		a.Customers = append(a.Customers, customer{ID: c.ID, Name: c.Name})
	}
	if m := l.Membership; m != nil {
		a.CustomerID = &m.CustomerID
		a.CustomerUserID = m.ID
		a.CustomerExternalID = nullable(m.Customer.ExternalID)
		a.BankBranchCode = nullable(m.Customer.BranchCode)
		a.SignLevel = nullable(m.Role.SignLevel)
		for _, ch := range l.RolesAuthFactors() {
			a.RolesAuthFactors = append(a.RolesAuthFactors, roleAuthFactor{AuthFactorChain: ch, Role: roleRef{ID: m.Role.ID, Code: m.Role.Code}})
		}
	}
	return a
}

// write sends v as JSON, never cached (RFC 6749 §5.1).
func write(w http.ResponseWriter, status int, v any) { httpjson.WriteReply(w, reply(status, v)) }

// reply is the answer write sends: JSON, never cached (RFC 6749 §5.1).
func reply(status int, v any) core.Reply {
	r := httpjson.JSONReply(status, v)
	r.Header["Pragma"] = "no-cache"
	return r
}
