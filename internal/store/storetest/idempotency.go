package storetest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/idempotency"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// idempotencyTests check idempotency.Store.
var idempotencyTests = []test{
	{"TheFirstBeginTakesTheKeyAndLaterOnesSeeItRunning", idemBegin},
	{"AFinishedRecordKeepsItsReplyForLaterBegins", idemFinish},
	{"OnlyTheOwnerFinishesOrReleases", idemOwner},
	{"AReleasedKeyIsFreeAgain", idemRelease},
	{"ADeadRequestsLeaseIsTakenOverOnlyForTheSameRequest", idemLease},
	{"AnExpiredRecordIsReplacedAndPurged", idemExpiry},
	{"OfManyConcurrentBeginsExactlyOneTakesTheKey", idemRace},
}

func idemRecord(id, owner string, reqHash []byte) idempotency.Record {
	return idempotency.Record{
		ID: hash("idem:" + id), RequestHash: reqHash, Owner: owner,
		LeaseUntil: at(time.Minute), CreatedAt: t0, ExpiresAt: at(24 * time.Hour),
	}
}

func begin(t *testing.T, st sqlstore.Backend, rec idempotency.Record, now time.Time) (idempotency.Record, bool) {
	t.Helper()
	got, took, err := st.BeginIdempotency(ctx, rec, now)
	noErr(t, "BeginIdempotency", err)
	return got, took
}

func idemBegin(t *testing.T, st sqlstore.Backend) {
	rec := idemRecord("k", "owner-1", hash("req"))
	got, took := begin(t, st, rec, t0)
	if !took {
		t.Fatal("the first Begin did not take the key")
	}
	same(t, "taken record", got, rec)
	other := idemRecord("k", "owner-2", hash("req"))
	got, took = begin(t, st, other, at(time.Second))
	if took {
		t.Fatal("a second Begin took a running key")
	}
	same(t, "stored record", got, rec)
	if _, took := begin(t, st, idemRecord("other key", "owner-3", hash("req")), t0); !took {
		t.Fatal("another key was refused")
	}
}

func idemFinish(t *testing.T, st sqlstore.Backend) {
	rec := idemRecord("k", "owner-1", hash("req"))
	begin(t, st, rec, t0)
	noErr(t, "FinishIdempotency", st.FinishIdempotency(ctx, rec.ID, "owner-1", 201, []byte("sealed reply")))
	got, took := begin(t, st, idemRecord("k", "owner-2", hash("req")), at(time.Hour)) // past the lease: done records stay
	if took || !got.Done() || got.Status != 201 || !bytes.Equal(got.Sealed, []byte("sealed reply")) || got.Owner != "" {
		t.Fatalf("after Finish: took=%v %s", took, show(got))
	}
	if !bytes.Equal(got.RequestHash, hash("req")) || !got.ExpiresAt.Equal(rec.ExpiresAt) {
		t.Fatalf("after Finish: %s", show(got))
	}
	// Released by its owner after the reply was kept: the reply stays.
	noErr(t, "ReleaseIdempotency", st.ReleaseIdempotency(ctx, rec.ID, "owner-1"))
	if got, _ := begin(t, st, idemRecord("k", "owner-3", hash("req")), at(time.Hour)); !got.Done() {
		t.Fatal("Release deleted a done record")
	}
}

func idemOwner(t *testing.T, st sqlstore.Backend) {
	rec := idemRecord("k", "owner-1", hash("req"))
	begin(t, st, rec, t0)
	wantErr(t, "Finish by another owner", st.FinishIdempotency(ctx, rec.ID, "owner-2", 200, []byte("x")), core.ErrNotFound)
	noErr(t, "Release by another owner", st.ReleaseIdempotency(ctx, rec.ID, "owner-2"))
	if got, _ := begin(t, st, idemRecord("k", "owner-3", hash("req")), t0); got.Owner != "owner-1" || got.Done() {
		t.Fatalf("another owner changed the record: %s", show(got))
	}
	wantErr(t, "Finish of an unknown id", st.FinishIdempotency(ctx, hash("nothing"), "owner-1", 200, []byte("x")), core.ErrNotFound)
}

func idemRelease(t *testing.T, st sqlstore.Backend) {
	rec := idemRecord("k", "owner-1", hash("req"))
	begin(t, st, rec, t0)
	noErr(t, "ReleaseIdempotency", st.ReleaseIdempotency(ctx, rec.ID, "owner-1"))
	if _, took := begin(t, st, idemRecord("k", "owner-2", hash("another request")), at(time.Second)); !took {
		t.Fatal("a released key was not free")
	}
}

func idemLease(t *testing.T, st sqlstore.Backend) {
	rec := idemRecord("k", "owner-1", hash("req"))
	begin(t, st, rec, t0)
	past := rec.LeaseUntil
	if got, took := begin(t, st, idemRecord("k", "owner-2", hash("different")), past); took || got.Owner != "owner-1" {
		t.Fatalf("a different request took over a dead lease: %s", show(got))
	}
	taker := idemRecord("k", "owner-2", hash("req"))
	taker.LeaseUntil = past.Add(time.Minute)
	if got, took := begin(t, st, taker, past); !took || got.Owner != "owner-2" {
		t.Fatalf("the same request did not take over a dead lease: %v %s", took, show(got))
	}
	wantErr(t, "Finish by the owner that lost the lease", st.FinishIdempotency(ctx, rec.ID, "owner-1", 200, []byte("x")), core.ErrNotFound)
	noErr(t, "Finish by the new owner", st.FinishIdempotency(ctx, rec.ID, "owner-2", 200, []byte("x")))
}

func idemExpiry(t *testing.T, st sqlstore.Backend) {
	rec := idemRecord("k", "owner-1", hash("req"))
	begin(t, st, rec, t0)
	noErr(t, "FinishIdempotency", st.FinishIdempotency(ctx, rec.ID, "owner-1", 200, []byte("x")))
	later := idemRecord("k", "owner-2", hash("another request"))
	later.CreatedAt, later.ExpiresAt = rec.ExpiresAt, rec.ExpiresAt.Add(24*time.Hour)
	if got, took := begin(t, st, later, rec.ExpiresAt); !took || got.Done() {
		t.Fatalf("an expired record was not replaced: %v %s", took, show(got))
	}
	gone := idemRecord("gone", "owner-1", hash("req"))
	begin(t, st, gone, t0)
	noErr(t, "Purge", st.Purge(ctx, gone.ExpiresAt.Add(time.Second)))
	if _, took := begin(t, st, idemRecord("gone", "owner-2", hash("different")), t0); !took {
		t.Fatal("Purge left an expired record")
	}
	if got, took := begin(t, st, idemRecord("k", "owner-3", hash("req")), t0); took || got.Owner != "owner-2" {
		t.Fatalf("Purge removed a live record: %v %s", took, show(got))
	}
}

func idemRace(t *testing.T, st sqlstore.Backend) {
	const n = 12
	var wg sync.WaitGroup
	var mu sync.Mutex
	var owners []string
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := string(rune('a' + i))
			got, took, err := st.BeginIdempotency(context.Background(), idemRecord("k", owner, hash("req")), t0)
			if err != nil {
				errs <- err
				return
			}
			if took {
				mu.Lock()
				owners = append(owners, owner)
				mu.Unlock()
			} else if got.Owner == owner || got.Owner == "" {
				errs <- errors.New("a loser was handed a record it does not own")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(owners) != 1 {
		t.Fatalf("%d Begins took the key, want exactly 1: %v", len(owners), owners)
	}
}
