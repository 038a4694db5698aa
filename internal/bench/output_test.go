package bench

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/smtp"
	"os"
	"strings"
	"testing"
	"time"
)

func TestTheChartIsWellFormedSVGWithAPointPerConcurrency(t *testing.T) {
	sw := Sweep{Scenario: "login", Points: []Point{{1, 30, 40}, {2, 55, 45}, {4, 56, 90}, {8, 56, 180}}}
	var b bytes.Buffer
	if err := WriteSVG(&b, sw, "test machine"); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		XMLName xml.Name
		Circles []struct{} `xml:"circle"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	if doc.XMLName.Local != "svg" || len(doc.Circles) != 2*len(sw.Points) {
		t.Fatalf("root %q with %d points, want svg with %d", doc.XMLName.Local, len(doc.Circles), 2*len(sw.Points))
	}
}

func TestNiceCeilRoundsUpToOneTwoOrFive(t *testing.T) {
	for in, want := range map[float64]float64{0.7: 1, 1: 1, 1.2: 2, 3: 5, 7: 10, 56: 100, 180: 200, 4100: 5000} {
		if got := niceCeil(in); got != want {
			t.Errorf("niceCeil(%v) = %v, want %v", in, got, want)
		}
	}
}

func TestTheProcessCountersOfThisProcessAreRead(t *testing.T) {
	x := 0
	for i := range 20_000_000 { // burn a little CPU so that the clock moves
		x ^= i
	}
	cpu, err := CPUTime(os.Getpid())
	if err != nil || cpu <= 0 {
		t.Fatalf("CPUTime = %v, %v (x=%d)", cpu, err, x)
	}
	rss, peak, err := Memory(os.Getpid())
	if err != nil || rss <= 0 || peak < rss {
		t.Fatalf("Memory = rss %v peak %v, %v", rss, peak, err)
	}
}

func TestTheMailSinkHandsOverTheConfirmationCode(t *testing.T) {
	m, err := StartMailSink("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	msg := "From: g@x\r\nTo: a@b.test\r\nSubject: confirm\r\nContent-Type: text/plain; charset=utf-8\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\nOpen http://127.0.0.1:8080/v1/user/confirm/abc=\r\nDEF_12-x\r\n"
	if err := smtp.SendMail(m.Addr, nil, "g@x", []string{"A@b.test"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	code, err := m.Code(context.Background(), "a@b.test", 5*time.Second)
	if err != nil || code != "abcDEF_12-x" {
		t.Fatalf("code = %q, %v; want the soft-broken quoted-printable line joined", code, err)
	}
}

func TestChecksSetEachFigureBesideItsBound(t *testing.T) {
	rep := Report{
		Bounds: map[string]Bound{"argon2id": {PerSecond: 50}, "sign": {PerSecond: 1000}},
		Runs: map[string]Result{
			"login/4": {Throughput: 46, Requests: 10, Latency: Latency{P99: 100}}, "login/1": {Requests: 10, Latency: Latency{P50: 40}},
			"refresh/4": {Throughput: 600, Requests: 10}, "profile/4": {Throughput: 300, Requests: 10}, "status/4": {Throughput: 1000, Requests: 10},
		},
	}
	got := map[string]Check{}
	for _, c := range checks(rep, RefConfig{Parallelism: 4, Scenarios: []string{"login"}}) {
		got[c.Name] = c
	}
	for name, pass := range map[string]bool{
		"platform login vs argon2id hashes/s":   true,  // 92 %
		"refresh vs RS256 signatures/s":         false, // 60 % < 70 %
		"authenticated reads vs GET /status":    false, // 30 % < 50 %
		"login p99 at c=4 vs 3 × median at c=1": true,  // 100 ≤ 120
	} {
		c, ok := got[name]
		if !ok || c.Pass != pass {
			t.Errorf("%s: %+v, want pass=%v", name, c, pass)
		}
	}
	if !strings.HasPrefix(got["platform login vs argon2id hashes/s"].Target, "≥ 90") {
		t.Errorf("login target %q", got["platform login vs argon2id hashes/s"].Target)
	}
}
