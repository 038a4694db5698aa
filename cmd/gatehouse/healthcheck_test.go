package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestHealthcheckPassesOnARunningServersReadinessAndStatus(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	for _, url := range []string{e.ManagementURL + "/readyz", e.URL + "/status"} {
		out, err := newCLI(t).run("healthcheck", url)
		if err != nil || !strings.Contains(out, "200") {
			t.Fatalf("healthcheck of a running server's %s: %q %v", url, out, err)
		}
	}
	if defaultHealthURL != "http://127.0.0.1:8081/readyz" {
		t.Fatalf("the default probe is %s, not the management listener's readiness", defaultHealthURL)
	}
}

func TestHealthcheckFailsOnAnErrorStatusOrNoServer(t *testing.T) {
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, `{"error":"unavailable"}`, http.StatusServiceUnavailable)
	}))
	defer down.Close()
	if _, err := newCLI(t).run("healthcheck", down.URL+"/status"); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("healthcheck of a 503: %v", err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + l.Addr().String() + "/status"
	l.Close()
	if _, err := newCLI(t).run("healthcheck", closed); err == nil {
		t.Fatal("healthcheck of a closed port passed")
	}
	if _, err := newCLI(t).run("healthcheck", "ftp://127.0.0.1/status"); err == nil {
		t.Fatal("healthcheck of a non-HTTP URL passed")
	}
}

func TestHealthcheckAsksTheManagementListenerItsSettingNames(t *testing.T) {
	for addr, want := range map[string]string{
		"":                "http://127.0.0.1:8081/readyz",
		"127.0.0.1:9191":  "http://127.0.0.1:9191/readyz",
		":8081":           "http://127.0.0.1:8081/readyz",
		"0.0.0.0:8082":    "http://127.0.0.1:8082/readyz",
		"[::]:8083":       "http://127.0.0.1:8083/readyz",
		"mgmt.local:8084": "http://mgmt.local:8084/readyz",
	} {
		if got, err := healthURL(addr); err != nil || got != want {
			t.Errorf("GATEHOUSE_MANAGEMENT_ADDR=%q: %q %v, want %q", addr, got, err, want)
		}
	}
	for _, addr := range []string{"off", "OFF", "no-port"} {
		if got, err := healthURL(addr); err == nil {
			t.Errorf("GATEHOUSE_MANAGEMENT_ADDR=%q asked %q", addr, got)
		}
	}
	// A running node on its own management address: the probe without a URL
	// asks that one (another address on this host would be refused).
	e := testenv.New(t, testenv.Options{})
	c := newCLI(t)
	c.env["GATEHOUSE_MANAGEMENT_ADDR"] = strings.TrimPrefix(e.ManagementURL, "http://")
	if out, err := c.run("healthcheck"); err != nil || !strings.Contains(out, e.ManagementURL+"/readyz") {
		t.Fatalf("healthcheck with GATEHOUSE_MANAGEMENT_ADDR=%s: %q %v", c.env["GATEHOUSE_MANAGEMENT_ADDR"], out, err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()
	c.env["GATEHOUSE_MANAGEMENT_ADDR"] = closed
	if _, err := c.run("healthcheck"); err == nil {
		t.Fatalf("healthcheck with GATEHOUSE_MANAGEMENT_ADDR=%s (nothing listening) passed", closed)
	}
}
