package idempotency_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/idempotency"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

func newKeeper(t *testing.T) (*idempotency.Keeper, *time.Time) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	sealer, err := keys.NewSealer([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	return &idempotency.Keeper{Store: st, Sealer: sealer, Now: func() time.Time { return now }}, &now
}

func req(caller, key, body string) idempotency.Request {
	h := sha256.Sum256([]byte(body))
	return idempotency.Request{Endpoint: "POST /api/v2/api-keys", Caller: caller, Key: key, Hash: h[:]}
}

func render(result any) (core.Reply, error) {
	return core.Reply{Status: 201, Header: map[string]string{"Content-Type": "application/json"}, Body: []byte(result.(string))}, nil
}

// run begins req and, when it runs, keeps result in a transaction.
func run(t *testing.T, k *idempotency.Keeper, r idempotency.Request, result string) (*core.Reply, error) {
	t.Helper()
	ctx := context.Background()
	x, replay, err := k.Begin(ctx, r, render)
	if err != nil || replay != nil {
		return replay, err
	}
	defer x.Release(ctx)
	ctx = x.Context(ctx)
	return nil, k.Store.(sqlstore.Backend).Tx(ctx, func(tx sqlstore.Backend) error { return x.Keep(ctx, tx, result) })
}

func TestTheSameRequestGetsTheKeptReplyAndADifferentOne422(t *testing.T) {
	k, _ := newKeeper(t)
	if replay, err := run(t, k, req("user:1", "k-1", `{"name":"till"}`), `{"secret":"ghk_1"}`); err != nil || replay != nil {
		t.Fatalf("first: %v %v", replay, err)
	}
	replay, err := run(t, k, req("user:1", "k-1", `{"name":"till"}`), `{"secret":"ghk_2"}`)
	if err != nil || replay == nil || replay.Status != 201 || string(replay.Body) != `{"secret":"ghk_1"}` || replay.Header["Content-Type"] != "application/json" {
		t.Fatalf("retry: %+v %v, want the first reply", replay, err)
	}
	if _, err := run(t, k, req("user:1", "k-1", `{"name":"other"}`), `x`); !errors.Is(err, core.ErrIdempotencyKeyReused) || core.KindOf(err) != core.KindUnprocessable {
		t.Fatalf("another body: %v, want 422 idempotency_key_reused", err)
	}
	// The key belongs to its caller and endpoint: another user's is another key.
	if replay, err := run(t, k, req("user:2", "k-1", `{"name":"till"}`), `{"secret":"ghk_3"}`); err != nil || replay != nil {
		t.Fatalf("another caller: %v %v, want a run of its own", replay, err)
	}
}

func TestAnAnonymousKeyBelongsToItsRequest(t *testing.T) {
	k, _ := newKeeper(t)
	if _, err := run(t, k, req("", "k", `{"login":"ann@example.com","password":"p1"}`), `ann`); err != nil {
		t.Fatal(err)
	}
	// A stranger with the same key and another body runs its own request,
	// and does not learn the first one's reply.
	if replay, err := run(t, k, req("", "k", `{"login":"ann@example.com","password":"p2"}`), `eve`); err != nil || replay != nil {
		t.Fatalf("another body: %v %v, want a run of its own", replay, err)
	}
	if replay, _ := run(t, k, req("", "k", `{"login":"ann@example.com","password":"p1"}`), `x`); replay == nil || string(replay.Body) != "ann" {
		t.Fatalf("the same body: %+v, want ann's reply", replay)
	}
}

func TestARunningKeyAnswers409UntilItsLeaseEnds(t *testing.T) {
	k, now := newKeeper(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	first, _, err := k.Begin(ctx, req("user:1", "k", "body"), render)
	if err != nil || first == nil {
		t.Fatal(err)
	}
	_, _, err = k.Begin(context.Background(), req("user:1", "k", "body"), render)
	var ce *core.Error
	if !errors.As(err, &ce) || ce.Code != "idempotency_key_in_use" || ce.RetryAfter < 20*time.Second || ce.RetryAfter > 22*time.Second {
		t.Fatalf("while running: %v, want 409 with Retry-After about the request's deadline", err)
	}
	*now = now.Add(time.Minute) // the first request died without releasing
	second, _, err := k.Begin(context.Background(), req("user:1", "k", "body"), render)
	if err != nil || second == nil {
		t.Fatalf("after the lease: %v", err)
	}
	// The dead one's late commit must not stand beside the new run's.
	err = k.Store.(sqlstore.Backend).Tx(ctx, func(tx sqlstore.Backend) error { return first.Keep(ctx, tx, "late") })
	if !errors.Is(err, core.ErrIdempotencyInProgress) {
		t.Fatalf("a keep after losing the lease: %v", err)
	}
}

func TestAReleasedKeyRunsAgain(t *testing.T) {
	k, _ := newKeeper(t)
	ctx := context.Background()
	x, _, err := k.Begin(ctx, req("user:1", "k", "body"), render)
	if err != nil {
		t.Fatal(err)
	}
	if err := x.Release(ctx); err != nil { // e.g. a validation error: nothing was done
		t.Fatal(err)
	}
	if replay, err := run(t, k, req("user:1", "k", "body"), "done"); err != nil || replay != nil {
		t.Fatalf("after release: %v %v, want a run", replay, err)
	}
}

func TestAKeptReplyIsSealedAndBoundToItsKey(t *testing.T) {
	k, _ := newKeeper(t)
	secret := "ghk_sealed_secret_value"
	run(t, k, req("user:1", "a", "body"), secret)
	run(t, k, req("user:1", "b", "body"), "other")
	st := k.Store.(interface{ DB() *sql.DB }).DB()
	var sealed []byte
	if err := st.QueryRow(`SELECT sealed FROM idempotency_keys WHERE status = 201 LIMIT 1`).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(sealed), secret) || len(sealed) == 0 {
		t.Fatal("the reply is stored readable")
	}
	// Every row gets the other's sealed reply: neither opens.
	if _, err := st.Exec(`UPDATE idempotency_keys SET sealed = (SELECT sealed FROM idempotency_keys x WHERE x.id <> idempotency_keys.id)`); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, k, req("user:1", "a", "body"), "x"); err == nil {
		t.Fatal("a reply moved to another key's row was replayed")
	}
}

func TestKeysAreCappedAndLimitedToSafeCharacters(t *testing.T) {
	for _, tc := range []struct {
		values []string
		key    string
		ok     bool
	}{
		{[]string{"8e03978e-40d5-43e8-bc93-6894a57f9324"}, "8e03978e-40d5-43e8-bc93-6894a57f9324", true},
		{[]string{`"8e03978e-40d5-43e8-bc93-6894a57f9324"`}, "8e03978e-40d5-43e8-bc93-6894a57f9324", true}, // RFC 8941 sf-string
		{[]string{"aGVsbG8+/w==_.:~"}, "aGVsbG8+/w==_.:~", true},
		{[]string{strings.Repeat("k", 255)}, strings.Repeat("k", 255), true},
		{[]string{strings.Repeat("k", 256)}, "", false},
		{[]string{""}, "", false},
		{[]string{`""`}, "", false},
		{[]string{"a b"}, "", false},
		{[]string{"a,b"}, "", false},
		{[]string{"caf\xc3\xa9"}, "", false},
		{[]string{"a\x00"}, "", false},
		{[]string{"one", "two"}, "", false},
	} {
		key, present, err := idempotency.ParseKey(tc.values)
		if !present || (err == nil) != tc.ok || key != tc.key {
			t.Errorf("ParseKey(%q) = %q, %v, %v", tc.values, key, present, err)
		}
		if err != nil && (!errors.Is(err, core.ErrIdempotencyKeyInvalid) || core.KindOf(err) != core.KindInvalid) {
			t.Errorf("ParseKey(%q): %v, want 400 invalid_idempotency_key", tc.values, err)
		}
	}
	if _, present, err := idempotency.ParseKey(nil); present || err != nil {
		t.Error("no header is no key")
	}
}
