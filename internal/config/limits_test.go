package config

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
)

func TestARateLimitRuleNamingNoEndpointStopsTheStart(t *testing.T) {
	for _, rules := range []string{"logn=60/10/600", "login=60,bank-login=5", "LOGIN=5"} {
		c := Default()
		c.RateLimitRules = rules
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), "GATEHOUSE_RATE_LIMIT_RULES") {
			t.Errorf("%q: Validate = %v, want GATEHOUSE_RATE_LIMIT_RULES refused", rules, err)
		}
	}
	c := Default()
	c.RateLimitRules = "login=5/6/7,bank_user=0/3"
	l, err := c.Limits()
	if err != nil {
		t.Fatal(err)
	}
	if l[core.EndpointLogin] != (Limit{5, 6, 7}) || l[core.EndpointBankUser] != (Limit{0, 3, 0}) {
		t.Fatalf("limits %+v", l)
	}
}

func TestEveryEndpointHasADefaultLimit(t *testing.T) {
	d := DefaultLimits()
	for _, e := range core.Endpoints() {
		if _, ok := d[e]; !ok {
			t.Errorf("no default limit for %q", e)
		}
	}
	if len(d) != len(core.Endpoints()) {
		t.Errorf("%d default limits for %d endpoints", len(d), len(core.Endpoints()))
	}
}
