package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const testAdminToken = "rotate-master-admin-token-0123456789"

// masterKey is a master key of 32 equal bytes, base64.
func masterKey(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }

// deadSMTP is an SMTP URL where nothing listens: mail stays queued, sealed.
func deadSMTP(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "smtp://" + addr
}

// opensAll reads every sealed value of the database with a sealer of the
// given master keys (the current one first), changing nothing.
func opensAll(t *testing.T, dbURL string, master string, previous ...string) sqlstore.ResealReport {
	t.Helper()
	var prev [][]byte
	for _, p := range previous {
		k, _ := keys.ParseMasterKey("previous", p)
		prev = append(prev, k)
	}
	cur, _ := keys.ParseMasterKey("current", master)
	s, err := keys.NewSealer(cur, prev...)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := store.Reseal(context.Background(), dbURL, func(v []byte) ([]byte, bool, error) {
		_, err := s.Open(v)
		return v, false, err
	})
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// everyColumnHoldsValues fails unless every registered sealed column holds
// at least one value, so that the test covers each of them.
func everyColumnHoldsValues(t *testing.T, rep sqlstore.ResealReport) {
	t.Helper()
	if len(rep.Columns) != len(sqlstore.SealedColumns) {
		t.Fatalf("report of %d columns, want %d", len(rep.Columns), len(sqlstore.SealedColumns))
	}
	for _, c := range rep.Columns {
		if c.Read == 0 {
			t.Errorf("no value in %s: the test does not cover it", c.Column)
		}
	}
}

// rotation is what the first node left for the later ones to open.
type rotation struct {
	dbURL             string
	spent, successor  string // a refresh token used once, and the successor kept sealed for the grace
	signupID          string // the answer kept for the Idempotency-Key of a sign-up
	totpSecret        string
	sealedAtTheOutset sqlstore.ResealReport
}

func (r *rotation) node(t *testing.T, b testenv.Backend, master, previous, smtp string) *testenv.Env {
	return testenv.New(t, testenv.Options{Backend: b, Config: func(c *config.Config) {
		c.DatabaseURL, c.MasterKey, c.MasterKeyPrevious, c.AdminToken = r.dbURL, master, previous, testAdminToken
		if smtp != "" {
			c.SMTPURL = smtp
		}
	}})
}

// opensTheValuesOfTheFirstNode checks, through the doors, that a node
// opens each kind of value the first node sealed: it started (signing and
// credential keys), a refresh retried within the grace gets the sealed
// successor, a sign-up sent again gets the kept answer, and the sign-in
// asks for and accepts the authenticator's code.
func (r *rotation) opensTheValuesOfTheFirstNode(t *testing.T, e *testenv.Env, ahead time.Duration) {
	t.Helper()
	res := e.Do("POST", "/v1/auth/refresh", map[string]string{"token": r.spent})
	if res.Status != 200 || res.Map(t)["refresh_token"] != r.successor {
		t.Fatalf("a refresh retried within the grace: %d %s, want the kept successor", res.Status, res.Body)
	}
	res = e.Do("POST", "/v1/user", map[string]string{"login": "bob@example.com", "password": "bob's password"}, "Idempotency-Key", "signup-bob")
	if res.Status != 201 || res.Map(t)["id"] != r.signupID || res.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("a sign-up sent again with its Idempotency-Key: %d %s %v", res.Status, res.Body, res.Header)
	}
	e.Clock.Advance(ahead) // past the TOTP steps of the codes used before (every node's clock starts at one instant)
	res = e.Do("POST", "/v1/auth/login", map[string]string{"username": "ann@example.com", "password": "ann's password"})
	if res.Status != 401 || res.Map(t)["error"] != "mfa_required" {
		t.Fatalf("login of an account with an authenticator: %d %s", res.Status, res.Body)
	}
	code, _ := totp.GenerateCode(r.totpSecret, e.Clock.Now())
	res = e.Do("POST", "/v1/auth/login", map[string]string{"mfa_token": res.Map(t)["mfa_token"].(string), "otp": code})
	if res.Status != 200 {
		t.Fatalf("the authenticator's code: %d %s", res.Status, res.Body)
	}
}

func TestRotateMasterResealsEverySealedValueWhileNodesServe(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k1, k2 := masterKey(1), masterKey(2)
		r := &rotation{dbURL: "sqlite://" + filepath.Join(t.TempDir(), "g.db")}
		if b == testenv.Postgres {
			r.dbURL = pgtest.URL(t)
		}
		admin := []string{"Authorization", "Bearer " + testAdminToken}
		if !t.Run("a node with K1 seals a value of every kind", func(t *testing.T) {
			e := r.node(t, b, k1, "", deadSMTP(t))
			if res := e.Do("POST", "/admin/v1/users", map[string]any{"email": "ann@example.com", "password": "ann's password", "email_confirmed": true}, admin...); res.Status != 201 {
				t.Fatalf("create: %d %s", res.Status, res.Body)
			}
			res := e.Do("POST", "/v1/auth/login", map[string]string{"username": "ann@example.com", "password": "ann's password"})
			r.spent = res.Map(t)["refresh_token"].(string)
			res = e.Do("POST", "/v1/auth/refresh", map[string]string{"token": r.spent})
			r.successor = res.Map(t)["refresh_token"].(string)
			access := []string{"Authorization", "Bearer " + res.Map(t)["access_token"].(string)}
			res = e.Do("POST", "/v1/user/factors/totp", map[string]string{"password": "ann's password"}, access...)
			if res.Status != 200 {
				t.Fatalf("enrol: %d %s", res.Status, res.Body)
			}
			r.totpSecret = res.Map(t)["secret"].(string)
			code, _ := totp.GenerateCode(r.totpSecret, e.Clock.Now())
			if res := e.Do("POST", "/v1/user/factors/totp/confirm", map[string]string{"otp": code}, access...); res.Status != 200 {
				t.Fatalf("confirm: %d %s", res.Status, res.Body)
			}
			res = e.Do("POST", "/v1/user", map[string]string{"login": "bob@example.com", "password": "bob's password"}, "Idempotency-Key", "signup-bob")
			if res.Status != 201 {
				t.Fatalf("sign-up: %d %s", res.Status, res.Body)
			}
			r.signupID = res.Map(t)["id"].(string) // its confirmation mail waits in the outbox: SMTP is down
			r.sealedAtTheOutset = opensAll(t, r.dbURL, k1)
			everyColumnHoldsValues(t, r.sealedAtTheOutset)
		}) {
			t.FailNow()
		}

		// Step 1 of the rotation: every node runs with K2, and K1 as previous.
		if !t.Run("a node with K2 and K1 as previous opens everything", func(t *testing.T) {
			if rep := opensAll(t, r.dbURL, k2, k1); len(rep.Failed) > 0 {
				t.Fatalf("values that K2 with K1 as previous cannot open: %v", rep.Failed)
			}
			e := r.node(t, b, k2, k1, deadSMTP(t))
			r.opensTheValuesOfTheFirstNode(t, e, time.Minute)
		}) {
			t.FailNow()
		}

		// Step 2: rotate-master, once, while nodes serve; again: nothing left.
		c := &cliTest{t: t, env: map[string]string{"GATEHOUSE_PUBLIC_URL": "http://127.0.0.1:8080", "GATEHOUSE_DATABASE_URL": r.dbURL, "GATEHOUSE_MASTER_KEY": k2, "GATEHOUSE_MASTER_KEY_PREVIOUS": k1}}
		out, err := c.run("key", "rotate-master")
		if err != nil || !strings.Contains(out, "every sealed value opens with GATEHOUSE_MASTER_KEY") || strings.Contains(out, k1) || strings.Contains(out, k2) {
			t.Fatalf("rotate-master: %v\n%s", err, out)
		}
		for _, col := range sqlstore.SealedColumns {
			if !strings.Contains(out, col.String()) {
				t.Fatalf("rotate-master does not report %s:\n%s", col, out)
			}
		}
		again, err := c.run("key", "rotate-master")
		if err != nil || strings.Count(again, "      0 re-sealed") != len(sqlstore.SealedColumns) {
			t.Fatalf("rotate-master run again re-sealed more: %v\n%s", err, again)
		}

		// Step 3: K1 is removed from every node.
		t.Run("after rotate-master K2 alone opens everything", func(t *testing.T) {
			rep := opensAll(t, r.dbURL, k2)
			if len(rep.Failed) > 0 {
				t.Fatalf("values K2 alone cannot open after rotate-master: %v", rep.Failed)
			}
			everyColumnHoldsValues(t, rep)
			if old := opensAll(t, r.dbURL, k1); len(old.Failed) == 0 {
				t.Fatal("K1 still opens the values: nothing was re-sealed")
			}
			e := r.node(t, b, k2, "", "")
			r.opensTheValuesOfTheFirstNode(t, e, 2*time.Minute)
			e.Clock.Advance(2 * time.Hour) // past the backoff of the failed deliveries
			// The mail the first node queued (and ann's notices) opens and goes out.
			for {
				if m := e.Mail.Next(t, testenv.MailTimeout); m.To == "bob@example.com" {
					break
				}
			}
		})
	})
}
