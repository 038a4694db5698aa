package server

import (
	"net/http/httptest"
	"testing"
)

func TestClientIPBelievesForwardedForOnlyFromTrustedProxies(t *testing.T) {
	ip := newClientIP([]string{"10.0.0.0/8"})
	cases := []struct{ peer, xff, want string }{
		{"203.0.113.7:5000", "1.2.3.4", "203.0.113.7"},              // untrusted peer: header ignored
		{"10.1.2.3:5000", "198.51.100.9", "198.51.100.9"},           // trusted proxy: its client
		{"10.1.2.3:5000", "6.6.6.6, 198.51.100.9", "198.51.100.9"},  // a client-supplied first hop is not believed
		{"10.1.2.3:5000", "198.51.100.9, 10.9.9.9", "198.51.100.9"}, // chained trusted proxies are skipped
		{"10.1.2.3:5000", "garbage", "10.1.2.3"},
		{"10.1.2.3:5000", "", "10.1.2.3"},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = c.peer
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if got := ip.Of(r); got != c.want {
			t.Errorf("peer %s XFF %q → %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
}
