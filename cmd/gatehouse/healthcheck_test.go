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
