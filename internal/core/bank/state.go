package bank

import (
	"encoding/hex"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// State is the progress of a bank login. It lives in the session's
// Attrs, so every node sees it; each step opens a new session with the
// next state and revokes the previous one, so that a token of an earlier
// step (access or refresh) never becomes a token of a later one.
type State struct {
	UserType     string
	Username     string // as the user typed it (e-mail or IIN): the published API's decrypted_username
	Device       string // hex SHA-256 of the Device-Fingerprint at login, "" when none
	CustomerID   int64  // 0 until step 2
	MembershipID int64
	RoleID       int64
	RoleCode     string
	RoleVersion  int64
	Passed       []string // factors passed under the current role
	ChainType    string   // EMPTY, then the factors of the chain passed, joined by "+"
}

// RoleAnonymous is the role of a login that has not picked a customer (the published API).
const RoleAnonymous = "ANONYMOUS"

// ChainEmpty is the chain type before any factor (the published API).
const ChainEmpty = "EMPTY"

const bankAttrPrefix = "bank."

func (st State) attrs() map[string]string {
	m := map[string]string{
		"bank.user_type": st.UserType, "bank.username": st.Username, "bank.device": st.Device,
		"bank.chain_type": st.ChainType, "bank.passed": strings.Join(st.Passed, ","),
	}
	if st.CustomerID != 0 {
		m["bank.customer"] = strconv.FormatInt(st.CustomerID, 10)
		m["bank.membership"] = strconv.FormatInt(st.MembershipID, 10)
		m["bank.role"] = strconv.FormatInt(st.RoleID, 10)
		m["bank.role_code"] = st.RoleCode
		m["bank.role_version"] = strconv.FormatInt(st.RoleVersion, 10)
	}
	return m
}

// StateOf reads the state a bank session carries.
func StateOf(s identity.Session) State {
	a := s.Attrs
	num := func(k string) int64 { n, _ := strconv.ParseInt(a[bankAttrPrefix+k], 10, 64); return n }
	st := State{
		UserType: a["bank.user_type"], Username: a["bank.username"], Device: a["bank.device"],
		CustomerID: num("customer"), MembershipID: num("membership"), RoleID: num("role"),
		RoleCode: a["bank.role_code"], RoleVersion: num("role_version"), ChainType: a["bank.chain_type"],
	}
	if p := a["bank.passed"]; p != "" {
		st.Passed = strings.Split(p, ",")
	}
	if st.ChainType == "" {
		st.ChainType = ChainEmpty
	}
	return st
}

// Role is the published API's top-level role: ANONYMOUS until a customer is chosen.
func (st State) Role() string {
	if st.CustomerID == 0 {
		return RoleAnonymous
	}
	return st.RoleCode
}

func fingerprintHex(fp string) string {
	if fp == "" {
		return ""
	}
	return hex.EncodeToString(identity.FingerprintHash(fp))
}

// nextFactors lists the factors that advance a possible chain given those
// passed: the factors of every chain that contains all passed ones, not
// yet passed, in chain order without repeats.
func nextFactors(chains [][]string, passed []string) []string {
	var out []string
	for _, ch := range chains {
		if !containsAll(ch, passed) {
			continue
		}
		for _, f := range ch {
			if !slices.Contains(passed, f) && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// completedChain returns the first chain all of whose factors are passed.
func completedChain(chains [][]string, passed []string) ([]string, bool) {
	for _, ch := range chains {
		if containsAll(passed, ch) {
			return ch, true
		}
	}
	return nil, false
}

func containsAll(set, want []string) bool {
	for _, w := range want {
		if !slices.Contains(set, w) {
			return false
		}
	}
	return true
}
