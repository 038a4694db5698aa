package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// The mix scenario: logins, authenticated reads and refreshes at rates of
// their own, sent together in one open loop, so that a curve of the reads'
// and refreshes' latency against the logins per second can be drawn (the
// latency isolation of BENCHMARKS.md). Unlike "mixed", whose closed loop
// lets a slow login hold back its worker's reads, every operation here is
// due at its own pace whatever the others meet.

func init() {
	Register("mix", Factory{Doc: "logins, profile reads and refreshes at the per-second rates of --mix (open loop at their sum)", New: newMix})
}

// MixPart is one operation of the mix and its rate per second.
type MixPart struct {
	Op   string // login, profile or refresh
	Rate float64
}

// ParseMix reads "login=10,profile=400,refresh=40".
func ParseMix(s string) ([]MixPart, error) {
	var parts []MixPart
	for _, f := range strings.Split(s, ",") {
		op, rate, found := strings.Cut(strings.TrimSpace(f), "=")
		r, err := strconv.ParseFloat(rate, 64)
		if !found || err != nil || r < 0 {
			return nil, fmt.Errorf("mix: %q: want op=rate, e.g. login=10", f)
		}
		if op != "login" && op != "profile" && op != "refresh" {
			return nil, fmt.Errorf("mix: unknown operation %q (login, profile, refresh)", op)
		}
		parts = append(parts, MixPart{Op: op, Rate: r})
	}
	return parts, nil
}

// MixRate is the sum of the parts' rates: the open loop's rate.
func MixRate(parts []MixPart) float64 {
	var sum float64
	for _, p := range parts {
		sum += p.Rate
	}
	return sum
}

// pick chooses an operation with probability proportional to its rate.
func pick(parts []MixPart, total float64) string {
	x := rand.Float64() * total
	for _, p := range parts {
		if x < p.Rate {
			return p.Op
		}
		x -= p.Rate
	}
	return parts[len(parts)-1].Op
}

func newMix(env Env) (Scenario, error) {
	total := MixRate(env.Mix)
	if total <= 0 {
		return nil, fmt.Errorf("mix: needs --mix with a positive rate")
	}
	return scenarioFunc(func(ctx context.Context, _ int) (Worker, error) {
		s, err := newSession(ctx, env) // the worker's own session, for reads and its refresh chain
		if err != nil {
			return nil, err
		}
		return workerFunc(func(ctx context.Context) (string, int, error) {
			switch pick(env.Mix, total) {
			case "login": // another user's sign-in; the worker's session stays
				_, st, err := login(ctx, env, env.randomUser())
				return "login", st, err
			case "refresh":
				return s.refresh(ctx)
			}
			if s.pair.AccessToken == "" {
				st, err := s.start(ctx)
				return "login", st, err
			}
			st, err := profile(ctx, env, s.pair.AccessToken)
			return "profile", st, err
		}), nil
	}), nil
}
