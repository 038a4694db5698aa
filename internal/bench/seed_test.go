package bench

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/store"
)

func TestSeedIINsAreValidAndDistinct(t *testing.T) {
	seen := map[string]int{}
	for i := range 50000 {
		iin := seedIIN(i)
		if !bank.ValidIIN(iin) {
			t.Fatalf("user %d: %s is not a valid IIN", i, iin)
		}
		if j, dup := seen[iin]; dup {
			t.Fatalf("users %d and %d share IIN %s", j, i, iin)
		}
		seen[iin] = i
	}
}

func TestSeedWritesConfirmedUsersWhoseSharedPasswordVerifies(t *testing.T) {
	ctx := context.Background()
	url := "sqlite://" + filepath.Join(t.TempDir(), "seed.db")
	cfg := SeedConfig{DatabaseURL: url, From: 10, Users: 25, SessionsPerUser: 2, Domain: "seed.test", Password: "pw-of-the-seed", Batch: 10, BankProfiles: true}
	st, err := Seed(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if st.Users != 25 || st.Sessions != 50 {
		t.Fatalf("stats %+v, want 25 users and 50 sessions", st)
	}
	db, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	u, err := db.UserByEmail(ctx, "u34@seed.test") // the last one: From+Users-1
	if err != nil || !u.Confirmed() {
		t.Fatalf("u34: %+v, %v", u, err)
	}
	if _, err := db.UserByEmail(ctx, "u35@seed.test"); err == nil {
		t.Fatal("u35 exists: Seed wrote past From+Users")
	}
	if bp, err := db.BankProfileOf(ctx, u.ID); err != nil || !bank.ValidIIN(bp.IIN) {
		t.Fatalf("bank profile of u34: %+v, %v", bp, err)
	}
	sessions, err := db.SessionsOf(ctx, u.ID)
	if err != nil || len(sessions) != 2 {
		t.Fatalf("sessions of u34: %d, %v", len(sessions), err)
	}
	// The tool's own device: its logins are a returning user's, no new-device mail.
	if signedIn, seen, err := db.DeviceSeen(ctx, u.ID, identity.DeviceKey(UserAgent, "127.0.0.1")); err != nil || !signedIn || !seen {
		t.Fatalf("the seeded sessions are not from the tool's device: any %v, seen %v, %v", signedIn, seen, err)
	}
	h, err := password.New(password.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if ok, _, err := h.Verify(ctx, u.PasswordHash, "pw-of-the-seed"); !ok || err != nil {
		t.Fatalf("the seeded hash does not verify the seed password: %v, %v", ok, err)
	}
}
