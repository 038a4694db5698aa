package config

import "testing"

// FuzzLimits: GATEHOUSE_RATE_LIMIT_RULES either parses into non-negative
// bounded counts or fails with an error; nothing panics.
func FuzzLimits(f *testing.F) {
	for _, s := range []string{"", "login=60/10/600", "exists=3", "a=1/2/3,b=4", "login=", "=1", "x=-1", "x=1/2/3/4", "x=99999999999999999999", " login = 5 / 6 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rules string) {
		l, err := Config{RateLimitRules: rules}.Limits()
		if err != nil {
			return
		}
		if _, ok := l["default"]; !ok {
			t.Fatalf("%q dropped the default row", rules)
		}
		for name, v := range l {
			if v.PerIP < 0 || v.PerSubject < 0 || v.PerClient < 0 || v.PerIP > 1_000_000 {
				t.Fatalf("%q: %s = %+v", rules, name, v)
			}
		}
	})
}
