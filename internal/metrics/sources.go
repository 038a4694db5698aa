package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// hashCollector reads the password pool's counters at scrape time, so
// that hashing itself does nothing for metrics.
type hashCollector struct {
	read func() (inFlight, waiting int64, refused uint64)
}

var (
	hashesInFlight = prometheus.NewDesc("gatehouse_password_hashes_in_flight",
		"Password hashes (argon2id) running now; at most one per hashing worker.", nil, nil)
	hashesWaiting = prometheus.NewDesc("gatehouse_password_hashes_waiting",
		"Sign-ins waiting for a hashing worker now.", nil, nil)
	hashRefused = prometheus.NewDesc("gatehouse_password_hash_refused_total",
		"Password hashes refused because every worker was busy and the queue full (answered 503 overloaded).", nil, nil)
)

func (c hashCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- hashesInFlight
	ch <- hashesWaiting
	ch <- hashRefused
}

func (c hashCollector) Collect(ch chan<- prometheus.Metric) {
	running, waiting, refused := c.read()
	ch <- prometheus.MustNewConstMetric(hashesInFlight, prometheus.GaugeValue, float64(running))
	ch <- prometheus.MustNewConstMetric(hashesWaiting, prometheus.GaugeValue, float64(waiting))
	ch <- prometheus.MustNewConstMetric(hashRefused, prometheus.CounterValue, float64(refused))
}

// outboxCollector counts the outbox's backlog in the database at scrape
// time, within outboxTimeout: a database that does not answer leaves the
// two families out of that scrape rather than holding it.
type outboxCollector struct {
	count func(ctx context.Context) (map[string]int64, error)
}

const outboxTimeout = 2 * time.Second

// channels are always shown, 0 when empty, so that an alert on the
// backlog has a series to read.
var channels = []string{"mail", "sms"}

var (
	mailPending = prometheus.NewDesc("gatehouse_mail_outbox_pending",
		"Mails queued and not yet delivered nor given up (due now or waiting for a retry), on every node.", nil, nil)
	outboxPending = prometheus.NewDesc("gatehouse_outbox_pending",
		"Messages queued and not yet delivered nor given up, by channel (mail, sms), on every node.", []string{"channel"}, nil)
)

func (c outboxCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- mailPending
	ch <- outboxPending
}

func (c outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), outboxTimeout)
	defer cancel()
	counts, err := c.count(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(outboxPending, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(mailPending, prometheus.GaugeValue, float64(counts["mail"]))
	seen := map[string]bool{}
	for _, name := range channels {
		seen[name] = true
		ch <- prometheus.MustNewConstMetric(outboxPending, prometheus.GaugeValue, float64(counts[name]), name)
	}
	for name, n := range counts {
		if !seen[name] {
			ch <- prometheus.MustNewConstMetric(outboxPending, prometheus.GaugeValue, float64(n), name)
		}
	}
}
