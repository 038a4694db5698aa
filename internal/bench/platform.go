package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync/atomic"
	"time"
)

// The platform door's scenarios (the platform API).

func init() {
	Register("status", Factory{Doc: "GET /status: the trivial endpoint, the bound of authenticated reads", New: newStatus})
	Register("login", Factory{Doc: "POST /v1/auth/login as a random seeded user", New: newLogin})
	Register("refresh", Factory{Doc: "POST /v1/auth/refresh: each worker follows its own rotating refresh token", New: newRefresh})
	Register("profile", Factory{Doc: "GET /v1/user/profile with each worker's access token", New: newProfile})
	Register("register", Factory{Doc: "POST /v1/user then GET /v1/user/confirm/{code} (needs --mail-sink)", New: newRegister})
	Register("mixed", Factory{Doc: "90% profile reads, 8% refresh, 2% login", New: newMixed})
}

type tokenPair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

type loginBody struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

func login(ctx context.Context, env Env, email string) (tokenPair, int, error) {
	var p tokenPair
	st, err := env.Client.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/auth/login",
		Body: loginBody{Username: email, Password: env.Password}, Into: &p})
	return p, st, err
}

func refresh(ctx context.Context, env Env, token string) (tokenPair, int, error) {
	var p tokenPair
	st, err := env.Client.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/auth/refresh",
		Body: map[string]string{"token": token}, Into: &p})
	return p, st, err
}

func profile(ctx context.Context, env Env, access string) (int, error) {
	return env.Client.Do(ctx, Request{Method: http.MethodGet, Path: "/v1/user/profile",
		Header: map[string]string{"Authorization": "Bearer " + access}})
}

func newStatus(env Env) (Scenario, error) {
	return scenarioFunc(func(context.Context, int) (Worker, error) {
		return workerFunc(func(ctx context.Context) (string, int, error) {
			st, err := env.Client.Do(ctx, Request{Method: http.MethodGet, Path: "/status"})
			return "status", st, err
		}), nil
	}), nil
}

func newLogin(env Env) (Scenario, error) {
	if env.SeedUsers < 1 {
		return nil, fmt.Errorf("login: needs seeded users (--users)")
	}
	return scenarioFunc(func(context.Context, int) (Worker, error) {
		return workerFunc(func(ctx context.Context) (string, int, error) {
			_, st, err := login(ctx, env, env.randomUser())
			return "login", st, err
		}), nil
	}), nil
}

// session is one worker's login, kept up to date as it refreshes. A failed
// refresh (the chain is then broken) makes the next step log in again.
type session struct {
	env  Env
	pair tokenPair
}

func (s *session) start(ctx context.Context) (int, error) {
	p, st, err := login(ctx, s.env, s.env.randomUser())
	if ok(st, err) {
		s.pair = p
	}
	return st, err
}

func (s *session) refresh(ctx context.Context) (string, int, error) {
	if s.pair.RefreshToken == "" {
		st, err := s.start(ctx)
		return "login", st, err
	}
	p, st, err := refresh(ctx, s.env, s.pair.RefreshToken)
	if ok(st, err) {
		s.pair = p
	} else {
		s.pair = tokenPair{}
	}
	return "refresh", st, err
}

func newSession(ctx context.Context, env Env) (*session, error) {
	if env.SeedUsers < 1 {
		return nil, fmt.Errorf("needs seeded users (--users)")
	}
	s := &session{env: env}
	st, err := s.start(ctx)
	return s, expect(st, err, http.StatusOK, "log in")
}

func newRefresh(env Env) (Scenario, error) {
	return scenarioFunc(func(ctx context.Context, _ int) (Worker, error) {
		s, err := newSession(ctx, env)
		if err != nil {
			return nil, err
		}
		return workerFunc(s.refresh), nil
	}), nil
}

func newProfile(env Env) (Scenario, error) {
	return scenarioFunc(func(ctx context.Context, _ int) (Worker, error) {
		s, err := newSession(ctx, env)
		if err != nil {
			return nil, err
		}
		return workerFunc(func(ctx context.Context) (string, int, error) {
			st, err := profile(ctx, env, s.pair.AccessToken)
			return "profile", st, err
		}), nil
	}), nil
}

func newMixed(env Env) (Scenario, error) {
	return scenarioFunc(func(ctx context.Context, _ int) (Worker, error) {
		s, err := newSession(ctx, env)
		if err != nil {
			return nil, err
		}
		return workerFunc(func(ctx context.Context) (string, int, error) {
			switch n := rand.IntN(100); {
			case n < 2:
				st, err := s.start(ctx)
				return "login", st, err
			case n < 10:
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

// registrar registers a new address, then (after the mail arrived, outside
// the timed step) confirms it.
type registrar struct {
	env     Env
	id      int
	pending string // the address whose code is awaited
	code    string
}

var registrations atomic.Int64

func newRegister(env Env) (Scenario, error) {
	if env.Mail == nil {
		return nil, fmt.Errorf("register: needs --mail-sink (and the server's GATEHOUSE_SMTP_URL pointing at it)")
	}
	return scenarioFunc(func(_ context.Context, id int) (Worker, error) {
		return &registrar{env: env, id: id}, nil
	}), nil
}

func (r *registrar) Ready(ctx context.Context) error {
	if r.pending == "" || r.code != "" {
		return nil
	}
	code, err := r.env.Mail.Code(ctx, r.pending, 30*time.Second)
	if err != nil {
		r.pending = ""
		return err
	}
	r.code = code
	return nil
}

func (r *registrar) Step(ctx context.Context) (string, int, error) {
	if r.code != "" {
		code := r.code
		r.pending, r.code = "", ""
		st, err := r.env.Client.Do(ctx, Request{Method: http.MethodGet, Path: "/v1/user/confirm/" + code})
		return "confirm", st, err
	}
	// One counter for the whole process: a run at another concurrency
	// reuses worker ids and must not reuse addresses (409).
	email := fmt.Sprintf("r%s-%d@register.bench", r.env.RunID, registrations.Add(1))
	st, err := r.env.Client.Do(ctx, Request{Method: http.MethodPost, Path: "/v1/user",
		Body: map[string]string{"login": email, "password": r.env.Password, "name": "Bench"}})
	if ok(st, err) {
		r.pending = email
	}
	return "register", st, err
}
