package cluster_test

import (
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/mail/mailtest"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
)

// The nodes' settings where the test needs them short or shared.
const (
	adminToken = "cluster-admin-token-0123456789abcdef"
	masterKey  = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // fixture: base64 of 32 bytes
	publicURL  = "http://gatehouse.cluster.test"                // behind one load balancer: one issuer
	syncEvery  = 500 * time.Millisecond                         // GATEHOUSE_KEY_SYNC_INTERVAL
	jwksMaxAge = 3 * time.Second                                // GATEHOUSE_JWKS_MAX_AGE
	// The login limit per client IP, and the lockout's failures per
	// account and IP, both counted across nodes; every scenario comes from
	// an IP of its own (X-Forwarded-For from the trusted 127.0.0.1).
	loginsPerIP = 5
	pairFails   = 3
)

// cluster is nodes of one deployment on one PostgreSQL schema and one
// Redis prefix, mailing to one SMTP sink.
type cluster struct {
	nodes []*node
	mail  *mailtest.Server
}

// startCluster starts n nodes at once on an empty database.
func startCluster(t *testing.T, n int) *cluster {
	t.Helper()
	bin := binary(t)
	db := pgtest.URL(t)
	prefix := redisPrefix(t)
	c := &cluster{mail: mailtest.Start(t), nodes: make([]*node, n)}
	var wg sync.WaitGroup
	for i := range n {
		name := string(rune('a' + i))
		env := []string{
			"GATEHOUSE_ADDR=127.0.0.1:0", "GATEHOUSE_MANAGEMENT_ADDR=127.0.0.1:0",
			"GATEHOUSE_DATABASE_URL=" + db, "GATEHOUSE_MASTER_KEY=" + masterKey,
			"GATEHOUSE_REDIS_URL=" + redisURL, "GATEHOUSE_REDIS_PREFIX=" + prefix,
			"GATEHOUSE_SMTP_URL=" + c.mail.URL(),
			// One domain (the Message-ID's), one sender per node: the
			// envelope tells which node delivered a mail.
			"GATEHOUSE_MAIL_FROM=Gatehouse <node-" + name + "@cluster.test>",
			"GATEHOUSE_PUBLIC_URL=" + publicURL, "GATEHOUSE_ADMIN_TOKEN=" + adminToken,
			"GATEHOUSE_TRUSTED_PROXIES=127.0.0.1/32", "GATEHOUSE_LOG_FORMAT=json",
			"GATEHOUSE_KEY_SYNC_INTERVAL=" + syncEvery.String(), "GATEHOUSE_JWKS_MAX_AGE=" + jwksMaxAge.String(),
			fmt.Sprintf("GATEHOUSE_RATE_LIMIT_RULES=login=%d/0/0,refresh=0/0/0", loginsPerIP), // rotation polls by refreshing
			fmt.Sprintf("GATEHOUSE_LOCKOUT_PAIR_THRESHOLD=%d", pairFails),
			"GATEHOUSE_SHUTDOWN_DELAY=0s", "GATEHOUSE_MAIL_RESEND_INTERVAL=0s",
		}
		wg.Go(func() { c.nodes[i] = start(t, bin, name, env) })
	}
	wg.Wait()
	for _, nd := range c.nodes {
		if nd == nil {
			t.FailNow() // start reported why
		}
	}
	return c
}

// client is a person at one address, whose requests carry one client IP.
type client struct {
	ip     string
	email  string
	passwd string
}

func (u client) hdr(more ...string) []string {
	return append([]string{"X-Forwarded-For", u.ip}, more...)
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

var admin = bearer(adminToken)

// newClient makes a confirmed account through the admin API of n.
func newClient(t *testing.T, n *node, ip, email string) client {
	t.Helper()
	u := client{ip: ip, email: email, passwd: "a long password " + email}
	if r := n.do(t, "POST", "/admin/v1/users", map[string]any{"email": email, "password": u.passwd, "email_confirmed": true}, admin...); r.status != 201 {
		t.Fatalf("create %s: %d %s", email, r.status, r.body)
	}
	return u
}

// login signs u in at n and returns the access and refresh tokens.
func (u client) login(t *testing.T, n *node) (access, refresh string) {
	t.Helper()
	r := n.do(t, "POST", "/v1/auth/login", map[string]string{"username": u.email, "password": u.passwd}, u.hdr()...)
	if r.status != 200 {
		t.Fatalf("login of %s at %s: %d %s", u.email, n.name, r.status, r.body)
	}
	m := r.json(t)
	return m["access_token"].(string), m["refresh_token"].(string)
}

// race sends one request per function at once and returns the statuses
// and bodies, failing on any 5xx.
func race(t *testing.T, reqs []func() answer) []answer {
	t.Helper()
	out := make([]answer, len(reqs))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, req := range reqs {
		wg.Go(func() {
			<-start
			out[i] = req()
		})
	}
	close(start)
	wg.Wait()
	for _, a := range out {
		if a.status >= 500 {
			t.Fatalf("a raced request answered %d: %s", a.status, a.body)
		}
	}
	return out
}

// TestSeveralNodesShareOneDeployment runs three gatehouse processes on one
// PostgreSQL database and one Redis, as behind a load balancer, and checks
// that a request may go to any of them (SECURITY.md, docs/operations.md).
// One node is killed with SIGKILL in the middle of a mail delivery first;
// its mail is checked last, once the lease it held has run out.
func TestSeveralNodesShareOneDeployment(t *testing.T) {
	c := startCluster(t, 3)
	t.Run("three nodes started together on an empty database make one signing key and one credential key", func(t *testing.T) {
		c.oneKeyOfEachUse(t)
	})
	killed := c.killMidDelivery(t) // outbox_test.go
	a, b := killed.survivors[0], killed.survivors[1]

	t.Run("a login on one node is refreshed on another", func(t *testing.T) {
		u := newClient(t, a, "198.51.100.1", "ann@example.com")
		access, refresh := u.login(t, a)
		if r := b.do(t, "GET", "/v1/user/profile", nil, bearer(access)...); r.status != 200 {
			t.Fatalf("profile on %s with %s's token: %d %s", b.name, a.name, r.status, r.body)
		}
		r := b.do(t, "POST", "/v1/auth/refresh", map[string]string{"token": refresh}, u.hdr()...)
		if r.status != 200 {
			t.Fatalf("refresh on %s: %d %s", b.name, r.status, r.body)
		}
		if r := a.do(t, "GET", "/v1/user/profile", nil, bearer(r.json(t)["access_token"].(string))...); r.status != 200 {
			t.Fatalf("profile on %s with %s's refreshed token: %d", a.name, b.name, r.status)
		}
	})
	t.Run("a refresh token raced across nodes has one successor, and reuse after it revokes the session", func(t *testing.T) {
		refreshRace(t, a, b)
	})
	t.Run("a logout and an admin lock on one node are refused on another at once", func(t *testing.T) {
		revocations(t, a, b)
	})
	t.Run("an API key revoked on one node is refused on another", func(t *testing.T) {
		apiKeyRevocation(t, a, b)
	})
	t.Run("the login rate limit and the lockout are counted across nodes", func(t *testing.T) {
		sharedCounters(t, a, b)
	})
	t.Run("a rotation on one node signs on every node within the sync interval", func(t *testing.T) {
		rotation(t, a, b)
	})
	t.Run("one-time codes raced across nodes are used once", func(t *testing.T) {
		c.oneTimeCodes(t, a, b)
	})
	t.Run("the mail of the node killed mid-delivery is delivered by another, with its Message-ID", func(t *testing.T) {
		killed.delivered(t)
	})
}

func refreshRace(t *testing.T, a, b *node) {
	u := newClient(t, a, "198.51.100.2", "ben@example.com")
	_, refresh := u.login(t, a)
	reqs := make([]func() answer, 12)
	for i := range reqs {
		n := []*node{a, b}[i%2]
		reqs[i] = func() answer {
			return n.do(t, "POST", "/v1/auth/refresh", map[string]string{"token": refresh}, u.hdr()...)
		}
	}
	successors := map[string]bool{}
	for _, r := range race(t, reqs) {
		if r.status != 200 {
			t.Fatalf("a concurrent presentation within the grace: %d %s, want 200", r.status, r.body)
		}
		successors[r.json(t)["refresh_token"].(string)] = true
	}
	if len(successors) != 1 {
		t.Fatalf("%d racing refreshes over two nodes got %d successors, want one", len(reqs), len(successors))
	}
	var next string
	for s := range successors {
		next = s
	}
	r := b.do(t, "POST", "/v1/auth/refresh", map[string]string{"token": next}, u.hdr()...)
	if r.status != 200 {
		t.Fatalf("the successor on %s: %d %s", b.name, r.status, r.body)
	}
	third := r.json(t)["refresh_token"].(string)
	// Its successor used, the first token is reuse: the session ends.
	if r := a.do(t, "POST", "/v1/auth/refresh", map[string]string{"token": refresh}, u.hdr()...); r.status != 401 {
		t.Fatalf("the spent token after its successor was used: %d %s, want 401", r.status, r.body)
	}
	if r := b.do(t, "POST", "/v1/auth/refresh", map[string]string{"token": third}, u.hdr()...); r.status != 401 {
		t.Fatalf("the session survived reuse on the other node: %d %s", r.status, r.body)
	}
}

func revocations(t *testing.T, a, b *node) {
	u := newClient(t, a, "198.51.100.3", "cai@example.com")
	access, _ := u.login(t, a)
	if r := a.do(t, "POST", "/v1/auth/logout", nil, bearer(access)...); r.status/100 != 2 {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	if r := b.do(t, "GET", "/v1/user/profile", nil, bearer(access)...); r.status != 401 {
		t.Fatalf("a token logged out on %s, on %s: %d %s, want 401", a.name, b.name, r.status, r.body)
	}

	access, _ = u.login(t, b)
	if r := a.do(t, "POST", "/admin/v1/users/"+u.email+"/lock", nil, admin...); r.status != 200 {
		t.Fatalf("lock: %d %s", r.status, r.body)
	}
	if r := b.do(t, "GET", "/v1/user/profile", nil, bearer(access)...); r.status != 401 && r.status != 403 {
		t.Fatalf("a token of a user locked on %s, on %s: %d %s", a.name, b.name, r.status, r.body)
	}
	r := b.do(t, "POST", "/v1/auth/login", map[string]string{"username": u.email, "password": u.passwd}, u.hdr()...)
	if r.status != 403 || r.json(t)["error"] != "account_locked" {
		t.Fatalf("login on %s of a user locked on %s: %d %s", b.name, a.name, r.status, r.body)
	}
}

func apiKeyRevocation(t *testing.T, a, b *node) {
	u := newClient(t, a, "198.51.100.4", "dan@example.com")
	access, _ := u.login(t, a)
	r := a.do(t, "POST", "/api/v2/api-keys", map[string]any{"name": "till"}, bearer(access)...)
	if r.status != 201 {
		t.Fatalf("create key: %d %s", r.status, r.body)
	}
	key, id := r.json(t)["key"].(string), r.json(t)["id"].(string)
	if r := b.do(t, "GET", "/v1/user/profile", nil, "X-API-Key", key); r.status != 200 {
		t.Fatalf("the key on %s: %d %s", b.name, r.status, r.body)
	}
	if r := a.do(t, "DELETE", "/api/v2/api-keys/"+id, nil, bearer(access)...); r.status/100 != 2 {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	if r := b.do(t, "GET", "/v1/user/profile", nil, "X-API-Key", key); r.status != 401 {
		t.Fatalf("a key revoked on %s, on %s: %d %s, want 401", a.name, b.name, r.status, r.body)
	}
}

func sharedCounters(t *testing.T, a, b *node) {
	nodes := []*node{a, b}
	u := newClient(t, a, "198.51.100.5", "eve@example.com")
	for i := range loginsPerIP {
		u.login(t, nodes[i%2])
	}
	r := nodes[loginsPerIP%2].do(t, "POST", "/v1/auth/login", map[string]string{"username": u.email, "password": u.passwd}, u.hdr()...)
	if r.status != 429 || r.json(t)["error"] != "rate_limited" || r.header.Get("Retry-After") == "" {
		t.Fatalf("login %d from one IP over two nodes: %d %s, want 429 rate_limited", loginsPerIP+1, r.status, r.body)
	}

	v := newClient(t, a, "198.51.100.6", "fay@example.com")
	wrong := map[string]string{"username": v.email, "password": "not the password"}
	for i := range pairFails {
		if r := nodes[i%2].do(t, "POST", "/v1/auth/login", wrong, v.hdr()...); r.status != 401 {
			t.Fatalf("wrong password %d: %d %s", i+1, r.status, r.body)
		}
	}
	r = nodes[pairFails%2].do(t, "POST", "/v1/auth/login", map[string]string{"username": v.email, "password": v.passwd}, v.hdr()...)
	if r.status != 429 || r.json(t)["error"] != "too_many_attempts" {
		t.Fatalf("after %d failures over two nodes: %d %s, want 429 too_many_attempts", pairFails, r.status, r.body)
	}
}

// emailOf returns the link or code a mail to to carries on a line of its own.
func (c *cluster) secretTo(t *testing.T, to string) string {
	t.Helper()
	return c.mail.NextTo(t, to, 30*time.Second).Secret(t)
}

// oneTimeCodes races a confirmation code, a reset token and a bank OTP
// code over two nodes: each is accepted once.
func (c *cluster) oneTimeCodes(t *testing.T, a, b *node) {
	u := client{ip: "198.51.100.8", email: "gus@example.com", passwd: "gus's long password"}
	if r := a.do(t, "POST", "/v1/user", map[string]string{"login": u.email, "password": u.passwd}, u.hdr()...); r.status != 201 {
		t.Fatalf("sign-up: %d %s", r.status, r.body)
	}
	code := c.secretTo(t, u.email)
	onceOnEach(t, "the confirmation code", a, b, func(n *node) answer {
		return n.do(t, "GET", "/v1/user/confirm/"+url.PathEscape(code), nil, u.hdr()...)
	})

	if r := b.do(t, "POST", "/v1/user/password/restore", map[string]string{"email": u.email}, u.hdr()...); r.status != 200 {
		t.Fatalf("restore: %d %s", r.status, r.body)
	}
	token := c.secretTo(t, u.email)
	onceOnEach(t, "the reset token", a, b, func(n *node) answer {
		return n.do(t, "POST", "/v1/user/password/reset", map[string]string{"token": token, "password": "a brand new password"}, u.hdr()...)
	})

	bankOTPRace(t, c, a, b)
}

// onceOnEach sends req three times to each node at once: one answer is
// 200, the others are refusals (4xx), none a 5xx.
func onceOnEach(t *testing.T, what string, a, b *node, req func(*node) answer) {
	t.Helper()
	reqs := make([]func() answer, 6)
	for i := range reqs {
		n := []*node{a, b}[i%2]
		reqs[i] = func() answer { return req(n) }
	}
	ok := 0
	var statuses []string
	for _, r := range race(t, reqs) {
		statuses = append(statuses, fmt.Sprint(r.status))
		if r.status == 200 {
			ok++
		} else if r.status < 400 {
			t.Fatalf("%s: answer %d %s", what, r.status, r.body)
		}
	}
	if ok != 1 {
		t.Fatalf("%s raced six times over two nodes was accepted %d times (%s), want once", what, ok, strings.Join(statuses, " "))
	}
}
