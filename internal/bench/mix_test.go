package bench

import "testing"

func TestParseMixReadsOperationsAndTheirRates(t *testing.T) {
	parts, err := ParseMix("login=10, profile=400,refresh=0.5")
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 3 || parts[0] != (MixPart{"login", 10}) || parts[2] != (MixPart{"refresh", 0.5}) || MixRate(parts) != 410.5 {
		t.Fatalf("ParseMix = %+v (rate %v)", parts, MixRate(parts))
	}
	for _, bad := range []string{"", "login", "login=-1", "login=x", "delete=3"} {
		if _, err := ParseMix(bad); err == nil {
			t.Fatalf("ParseMix(%q) accepted", bad)
		}
	}
}

func TestPickFollowsTheRates(t *testing.T) {
	parts := []MixPart{{"login", 0}, {"profile", 90}, {"refresh", 10}}
	n := map[string]int{}
	for range 10000 {
		n[pick(parts, 100)]++
	}
	if n["login"] != 0 || n["refresh"] < 800 || n["refresh"] > 1200 {
		t.Fatalf("10 000 picks: %v; want no login and about 1 000 refreshes", n)
	}
}
