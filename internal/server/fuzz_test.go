package server

import (
	"net"
	"net/http/httptest"
	"testing"
)

// FuzzClientIP: whatever X-Forwarded-For says, the client address is a
// parseable IP, and it is the peer itself unless the peer is a trusted
// proxy (a client cannot pick its own rate-limit key).
func FuzzClientIP(f *testing.F) {
	for _, s := range []string{"", "203.0.113.7", "203.0.113.7, 10.0.0.2", "garbage", "10.0.0.1,10.0.0.2", "::1, 2001:db8::1", ",,,", "1.2.3.4 , x"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	c := newClientIP([]string{"10.0.0.0/8"})
	f.Fuzz(func(t *testing.T, xff string, viaProxy bool) {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = "198.51.100.1:5000"
		if viaProxy {
			r.RemoteAddr = "10.0.0.9:5000"
		}
		r.Header.Set("X-Forwarded-For", xff)
		ip := c.Of(r)
		if net.ParseIP(ip) == nil {
			t.Fatalf("%q gave %q", xff, ip)
		}
		if !viaProxy && ip != "198.51.100.1" {
			t.Fatalf("an untrusted peer chose its address %q via %q", ip, xff)
		}
	})
}
