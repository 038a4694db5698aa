package app

import (
	"context"
	"sync"
	"time"
)

// Start runs the background jobs (mail and SMS delivery, key rotation,
// purge, the health check) until ctx ends; the channel closes when all have
// returned.
func (a *App) Start(ctx context.Context) <-chan struct{} {
	var wg sync.WaitGroup
	jobs := []func(context.Context){
		func(ctx context.Context) { a.Outbox.Run(ctx, a.store, a.Sender) },
		a.maintain,
		func(ctx context.Context) { a.Health.Run(ctx, time.Second) },
	}
	if a.SMSOutbox != nil {
		jobs = append(jobs, func(ctx context.Context) { a.SMSOutbox.Run(ctx, a.store, a.SMSSender) })
	}
	for _, job := range jobs {
		wg.Add(1)
		go func() { defer wg.Done(); job(ctx) }()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	return done
}

// maintain keeps the key rings in step with the store and rotating
// (keys.go) and has the domains forget what has expired.
func (a *App) maintain(ctx context.Context) {
	keysTick := time.NewTicker(a.Config.KeySyncInterval)
	purgeTick := time.NewTicker(10 * time.Minute)
	defer keysTick.Stop()
	defer purgeTick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-keysTick.C:
			a.syncKeys(ctx)
		case <-purgeTick.C:
			if err := a.Identity.Purge(ctx); err != nil {
				a.Log.Warn("purge failed", "err", err)
			}
			if err := a.Bank.Purge(ctx); err != nil {
				a.Log.Warn("bank purge failed", "err", err)
			}
			if err := a.OAuth.Purge(ctx); err != nil {
				a.Log.Warn("oauth purge failed", "err", err)
			}
		}
	}
}

// FlushMail attempts every mail due now once (tests: the outbox without
// waiting for its worker).
func (a *App) FlushMail(ctx context.Context) error { return a.Outbox.Flush(ctx, a.store, a.Sender) }

// FlushSMS attempts every text due now once.
func (a *App) FlushSMS(ctx context.Context) error {
	return a.SMSOutbox.Flush(ctx, a.store, a.SMSSender)
}
