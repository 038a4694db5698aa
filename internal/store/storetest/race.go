package storetest

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/outbox"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// racers is how many goroutines each race starts at once.
const racers = 16

// race runs fn(i) in racers goroutines released together, and waits.
func race(fn func(i int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

var raceTests = []test{
	{"Racing presentations of one refresh token all see the one successor", raceRefresh}, // refresh.go
	{"Racing first uses of one refresh token outside a transaction spend it once", raceFirstUse},
	{"Racing UpdateKeys that each add a key when none is stored add one", func(t *testing.T, st sqlstore.Backend) {
		// Nodes starting together on an empty database: each finds no key
		// and proposes its own; the store lets one of them in, and the
		// others see it (they then adopt it instead of adding theirs).
		errs := make(chan error, racers)
		race(func(i int) {
			errs <- st.UpdateKeys(ctx, "sig", t0, func(recs []keys.Record) (keys.Change, error) {
				if len(recs) > 0 {
					return keys.Change{}, nil
				}
				k := key(fmt.Sprintf("node-%d", i), "sig", t0, at(48*time.Hour))
				return keys.Change{Insert: &k}, nil
			})
		})
		close(errs)
		for err := range errs {
			noErr(t, "UpdateKeys", err)
		}
		got, err := st.Keys(ctx, "sig", t0)
		noErr(t, "Keys", err)
		if len(got) != 1 {
			t.Fatalf("%d racing nodes stored %d keys, want 1", racers, len(got))
		}
	}},
	{"UseCode has exactly one winner among racing callers", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		newCode(t, st, u, identity.CodeResetPassword, "code", at(time.Hour))
		var mu sync.Mutex
		wins, invalid, errs := 0, 0, []error{}
		race(func(int) {
			_, err := st.UseCode(ctx, identity.CodeResetPassword, hash("code"), at(time.Minute))
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, core.ErrCodeInvalid):
				invalid++
			default:
				errs = append(errs, err)
			}
		})
		if wins != 1 || invalid != racers-1 || len(errs) > 0 {
			t.Fatalf("%d wins, %d ErrCodeInvalid (want 1 and %d), other errors: %v", wins, invalid, racers-1, errs)
		}
	}},
	{"UpdateUser loses no increment among racing callers", func(t *testing.T, st sqlstore.Backend) {
		const each = 3
		u := newUser(t, st, "ann@x.test")
		_, err := st.UpdateUser(ctx, u.ID, func(u *identity.User) error { u.Name = "0"; return nil })
		noErr(t, "UpdateUser", err)
		errs := make(chan error, racers*each)
		race(func(int) {
			for range each {
				_, err := st.UpdateUser(ctx, u.ID, func(u *identity.User) error {
					n, err := strconv.Atoi(u.Name)
					u.Name = strconv.Itoa(n + 1)
					return err
				})
				if err != nil {
					errs <- err
				}
			}
		})
		close(errs)
		for err := range errs {
			t.Errorf("UpdateUser: %v", err)
		}
		got, err := st.UserByID(ctx, u.ID)
		noErr(t, "UserByID", err)
		same(t, "counter after racing increments", got.Name, fmt.Sprint(racers*each))
	}},
	{"ClaimMail never hands one mail to two racing workers", func(t *testing.T, st sqlstore.Backend) {
		const mails = 40
		for i := range mails {
			enqueue(t, st, fmt.Sprintf("u%d@x.test", i), "k", t0, t0)
		}
		var mu sync.Mutex
		claimed := map[int64]int{}
		var errs []error
		race(func(int) {
			for {
				got, err := st.ClaimMail(ctx, outbox.ChannelMail, at(time.Minute), at(time.Hour), 3)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				for _, m := range got {
					claimed[m.ID]++
				}
				mu.Unlock()
				if err != nil || len(got) == 0 {
					return
				}
			}
		})
		if len(errs) > 0 {
			t.Fatalf("ClaimMail errors: %v", errs)
		}
		if len(claimed) != mails {
			t.Fatalf("%d distinct mails claimed, want %d", len(claimed), mails)
		}
		for id, n := range claimed {
			if n != 1 {
				t.Fatalf("mail %d claimed %d times", id, n)
			}
		}
	}},
}
