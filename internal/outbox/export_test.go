package outbox

import "time"

// What the external tests (package outbox_test, which imports outboxtest,
// which imports outbox) read of a Worker's insides.

func (w *Worker) WakeUp() <-chan struct{}           { return w.wake }
func (w *Worker) Channel() string                   { return w.channel }
func (w *Worker) Backoff(attempt int) time.Duration { return w.backoff(attempt) }
