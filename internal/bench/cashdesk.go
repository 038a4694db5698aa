package bench

import (
	"context"
	"fmt"
	"net/http"
)

// The cashdesk door's scenarios (the cashdesk API, docs/cashdesk.md): its
// login, and requests authenticated by a permanent API key (hashed with
// SHA-256, no argon2 per request).

func init() {
	Register("cashdesk-login", Factory{Doc: "POST /api/v2/authenticate as a random seeded user (cashdesk door)", New: newCashdeskLogin})
	Register("apikey", Factory{Doc: "GET /api/v2/profile with X-API-Key: each worker creates its own key first (cashdesk door)", New: newAPIKey})
}

type cashdeskAuth struct {
	Token string `json:"token"` // "Bearer <jwt>", as the published API has it
}

func cashdeskLogin(ctx context.Context, env Env, email string) (cashdeskAuth, int, error) {
	var a cashdeskAuth
	st, err := env.Client.Do(ctx, Request{Method: http.MethodPost, Path: "/api/v2/authenticate",
		Body: map[string]string{"email": email, "password": env.Password}, Into: &a})
	return a, st, err
}

func newCashdeskLogin(env Env) (Scenario, error) {
	if env.SeedUsers < 1 {
		return nil, fmt.Errorf("cashdesk-login: needs seeded users (--users)")
	}
	return scenarioFunc(func(context.Context, int) (Worker, error) {
		return workerFunc(func(ctx context.Context) (string, int, error) {
			_, st, err := cashdeskLogin(ctx, env, env.randomUser())
			return "cashdesk-login", st, err
		}), nil
	}), nil
}

func newAPIKey(env Env) (Scenario, error) {
	if env.SeedUsers < 1 {
		return nil, fmt.Errorf("apikey: needs seeded users (--users)")
	}
	return scenarioFunc(func(ctx context.Context, id int) (Worker, error) {
		a, st, err := cashdeskLogin(ctx, env, env.SeedEmail(id%env.SeedUsers))
		if err := expect(st, err, http.StatusOK, "cashdesk login"); err != nil {
			return nil, err
		}
		var k struct {
			Key string `json:"key"`
		}
		st, err = env.Client.Do(ctx, Request{Method: http.MethodPost, Path: "/api/v2/api-keys",
			Body: map[string]any{"name": fmt.Sprintf("bench %s %d", env.RunID, id)}, Into: &k,
			Header: map[string]string{"Authorization": a.Token}})
		if err != nil || (st != http.StatusCreated && st != http.StatusOK) || k.Key == "" {
			return nil, fmt.Errorf("create API key: status %d: %v", st, err)
		}
		return workerFunc(func(ctx context.Context) (string, int, error) {
			st, err := env.Client.Do(ctx, Request{Method: http.MethodGet, Path: "/api/v2/profile",
				Header: map[string]string{"X-API-Key": k.Key}})
			return "apikey", st, err
		}), nil
	}), nil
}
