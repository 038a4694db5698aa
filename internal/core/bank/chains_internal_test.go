package bank

import (
	"slices"
	"testing"
)

// The chain rules: which factors may come next, when a chain is complete,
// and how an account's own second factor rewrites a role's chains.

func TestTheNextFactorsAreThoseOfEveryChainStillOpen(t *testing.T) {
	chains := [][]string{{FactorSMS, FactorTOTP}, {FactorEmail}}
	for _, c := range []struct {
		passed []string
		want   []string
	}{
		{nil, []string{FactorSMS, FactorTOTP, FactorEmail}},
		{[]string{FactorSMS}, []string{FactorTOTP}},
		{[]string{FactorTOTP}, []string{FactorSMS}},
		{[]string{FactorSMS, FactorTOTP}, nil},
		{[]string{FactorEmail}, nil},
	} {
		if got := nextFactors(chains, c.passed); !slices.Equal(got, c.want) {
			t.Errorf("passed %v: next %v, want %v", c.passed, got, c.want)
		}
	}
}

func TestAChainIsCompleteOnceEachOfItsFactorsIsPassedInAnyOrder(t *testing.T) {
	chains := [][]string{{FactorSMS, FactorTOTP}, {FactorEmail}}
	if _, done := completedChain(chains, []string{FactorTOTP}); done {
		t.Fatal("half a chain completed it")
	}
	if ch, done := completedChain(chains, []string{FactorTOTP, FactorSMS}); !done || !slices.Equal(ch, chains[0]) {
		t.Fatalf("both factors in the other order: %v %v", ch, done)
	}
	if ch, done := completedChain(chains, []string{FactorEmail}); !done || !slices.Equal(ch, chains[1]) {
		t.Fatalf("the one-factor chain: %v %v", ch, done)
	}
}

func TestAnAccountWithAFactorNeverCompletesWithoutOne(t *testing.T) {
	none := [][]string{}
	if got := accountChains(none, false); len(got) != 0 {
		t.Fatalf("no factor enrolled: %v, want the role's (none)", got)
	}
	if got := accountChains(none, true); !slices.EqualFunc(got, [][]string{{FactorTOTP}}, slices.Equal) {
		t.Fatalf("a role without chains for an enrolled account: %v, want [[TOTP]]", got)
	}
	got := accountChains([][]string{{}, {FactorTOTP}, {FactorSMS}}, true)
	if !slices.EqualFunc(got, [][]string{{FactorTOTP}, {FactorSMS}}, slices.Equal) {
		t.Fatalf("an empty chain becomes TOTP, once: %v", got)
	}
}
