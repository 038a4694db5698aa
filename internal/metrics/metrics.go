// Package metrics is what the management listener's GET /metrics shows:
// Prometheus metrics (prometheus/client_golang) in a registry of their
// own, never the global default, so that two servers in one process (the
// tests) count apart. Every family is named gatehouse_…, beside the Go
// runtime's and the process's collectors.
//
// Labels take values from small fixed sets only: a route is the router's
// pattern ("GET /v1/user/confirm/{code}"), never the path a client sent;
// a method outside the standard ones is OTHER; a door, an outcome and an
// endpoint are words of the code. A client sending ten thousand distinct
// paths, ids or users therefore adds no series.
//
// The domain does not import this package: the core, the password pool
// and the store are read through the small functions in Sources, and the
// server calls the counting methods.
package metrics

import (
	"context"
	"database/sql"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Sources are what the gauges read when scraped; a nil field leaves its
// metrics out.
type Sources struct {
	// Hashes reads the password hasher's pool: hashes running now,
	// callers waiting for a worker, and callers refused since start.
	Hashes func() (inFlight, waiting int64, refused uint64)
	// Outbox counts the undelivered messages per channel (mail, sms).
	Outbox func(ctx context.Context) (map[string]int64, error)
	// DB is the database pool (database/sql's DBStats).
	DB *sql.DB
	// Ready is the readiness that /readyz answers.
	Ready func() bool
	// Version and Commit label gatehouse_build_info.
	Version, Commit string
}

// Metrics holds the registry and the counters the server feeds.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	logins   *prometheus.CounterVec
	limited  *prometheus.CounterVec

	// series caches each request label set's counter and histogram:
	// looking them up in the vectors hashes and validates the labels on
	// every request. Bounded as the labels are.
	mu     sync.RWMutex
	series map[requestLabels]requestSeries
}

type requestLabels struct{ route, method, code string }

type requestSeries struct {
	count    prometheus.Counter
	duration prometheus.Observer
}

// Buckets of gatehouse_http_request_duration_seconds: Prometheus's
// defaults and the request deadline's default (20 s).
var durationBuckets = append(append([]float64(nil), prometheus.DefBuckets...), 20)

// New registers every family.
func New(src Sources) *Metrics {
	m := &Metrics{
		reg:    prometheus.NewRegistry(),
		series: map[requestLabels]requestSeries{},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_http_requests_total",
			Help: "HTTP requests answered on the public listener, by route pattern, method and status code.",
		}, []string{"route", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "gatehouse_http_request_duration_seconds",
			Help:    "Time from a request's arrival to its answer, by route pattern.",
			Buckets: durationBuckets,
		}, []string{"route"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_logins_total",
			Help: "Sign-in attempts (a password, or the second factor after mfa_required), by door and outcome.",
		}, []string{"door", "outcome"}),
		limited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gatehouse_rate_limit_refused_total",
			Help: "Requests refused with 429 by a request rate limit, by endpoint.",
		}, []string{"endpoint"}),
	}
	m.reg.MustRegister(m.requests, m.duration, m.logins, m.limited,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.registerSources(src)
	return m
}

func (m *Metrics) registerSources(src Sources) {
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "gatehouse_build_info",
		Help:        "Always 1; the labels name the running release.",
		ConstLabels: prometheus.Labels{"version": src.Version, "commit": src.Commit},
	})
	info.Set(1)
	m.reg.MustRegister(info)
	if src.Ready != nil {
		m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "gatehouse_ready", Help: "1 while /readyz answers 200, 0 while it answers 503.",
		}, func() float64 { return boolFloat(src.Ready()) }))
	}
	if src.Hashes != nil {
		m.reg.MustRegister(hashCollector{read: src.Hashes})
	}
	if src.Outbox != nil {
		m.reg.MustRegister(outboxCollector{count: src.Outbox})
	}
	if src.DB != nil {
		// database/sql's pool: gatehouse_go_sql_open_connections,
		// …_in_use_connections, …_wait_count_total, … {db_name="main"}.
		prometheus.WrapRegistererWithPrefix("gatehouse_", m.reg).MustRegister(collectors.NewDBStatsCollector(src.DB, "main"))
	}
}

// Handler serves the registry in Prometheus's text exposition format (or
// OpenMetrics, when the scraper asks for it). A source that fails is left
// out of that scrape; the rest is still served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg, ErrorHandling: promhttp.ContinueOnError})
}

// Request counts one answered request of the public listener. route is
// the router's pattern ("" when none matched: "unmatched").
func (m *Metrics) Request(route, method string, status int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	s := m.seriesOf(requestLabels{route, Method(method), codeLabel(status)})
	s.count.Inc()
	s.duration.Observe(took.Seconds())
}

func (m *Metrics) seriesOf(l requestLabels) requestSeries {
	m.mu.RLock()
	s, ok := m.series[l]
	m.mu.RUnlock()
	if ok {
		return s
	}
	s = requestSeries{m.requests.WithLabelValues(l.route, l.method, l.code), m.duration.WithLabelValues(l.route)}
	m.mu.Lock()
	m.series[l] = s
	m.mu.Unlock()
	return s
}

// Login counts one sign-in attempt.
func (m *Metrics) Login(door, outcome string) { m.logins.WithLabelValues(door, outcome).Inc() }

// RateLimited counts one request a rate limit refused.
func (m *Metrics) RateLimited(endpoint string) { m.limited.WithLabelValues(endpoint).Inc() }

// Method is a request method as a label: the standard methods as they
// are, any other (a client may send any token) as OTHER.
func Method(method string) string {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions, http.MethodConnect, http.MethodTrace:
		return method
	}
	return "OTHER"
}

// codes holds the status codes' labels, so that counting allocates none.
var codes = func() (c [600]string) {
	for i := range c {
		c[i] = strconv.Itoa(i)
	}
	return c
}()

func codeLabel(status int) string {
	if status < 100 || status >= len(codes) {
		return "other"
	}
	return codes[status]
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
