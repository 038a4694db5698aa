package storetest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// settingsTests check identity.SettingsStore.
var settingsTests = []test{
	{"ASettingIsStoredOnceAndTheFirstWins", settingOnce},
	{"OfManyConcurrentWritersExactlyOneStoresTheSetting", settingRace},
	{"HasRoleSeesRolesOfAnyUser", hasRole},
	{"ASealedSecretIsStoredOnceAndOfManyConcurrentWritersOneWins", secretOnce},
}

func secretOnce(t *testing.T, st sqlstore.Backend) {
	ctx := context.Background()
	if _, err := st.SealedSecret(ctx, "s"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("SealedSecret of a missing name: %v, want ErrNotFound", err)
	}
	var wg sync.WaitGroup
	var winners atomic.Int32
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			ok, err := st.PutSealedSecretOnce(ctx, "s", []byte{byte(i), 0, 0xff}, secT0)
			if err != nil {
				t.Error(err)
			}
			if ok {
				winners.Add(1)
			}
		}(i)
	}
	wg.Wait()
	if n := winners.Load(); n != 1 {
		t.Fatalf("%d writers stored the secret, want 1", n)
	}
	v, err := st.SealedSecret(ctx, "s")
	if err != nil || len(v) != 3 || v[1] != 0 || v[2] != 0xff {
		t.Fatalf("SealedSecret = %x, %v", v, err)
	}
	if ok, err := st.PutSealedSecretOnce(ctx, "s", []byte("later"), secT0); err != nil || ok {
		t.Fatalf("a later PutSealedSecretOnce = %v, %v; want false", ok, err)
	}
}

func settingOnce(t *testing.T, st sqlstore.Backend) {
	ctx := context.Background()
	if _, err := st.Setting(ctx, "k"); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("Setting of a missing key: %v, want ErrNotFound", err)
	}
	if ok, err := st.PutSettingOnce(ctx, "k", "first", secT0); err != nil || !ok {
		t.Fatalf("first PutSettingOnce = %v, %v", ok, err)
	}
	if ok, err := st.PutSettingOnce(ctx, "k", "second", secT0); err != nil || ok {
		t.Fatalf("second PutSettingOnce = %v, %v; want false", ok, err)
	}
	if v, err := st.Setting(ctx, "k"); err != nil || v != "first" {
		t.Fatalf("Setting = %q, %v; want first", v, err)
	}
}

func settingRace(t *testing.T, st sqlstore.Backend) {
	ctx := context.Background()
	var wg sync.WaitGroup
	var winners atomic.Int32
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := st.PutSettingOnce(ctx, "race", "v", secT0)
			if err != nil {
				t.Error(err)
			}
			if ok {
				winners.Add(1)
			}
		}()
	}
	wg.Wait()
	if n := winners.Load(); n != 1 {
		t.Fatalf("%d writers stored the setting, want 1", n)
	}
}

func hasRole(t *testing.T, st sqlstore.Backend) {
	ctx := context.Background()
	if has, err := st.HasRole(ctx, "admin"); err != nil || has {
		t.Fatalf("HasRole on an empty store = %v, %v", has, err)
	}
	u := identity.User{Email: "ann@x.test", PasswordHash: "h", Roles: []string{"admin", "ops"}, CreatedAt: secT0, UpdatedAt: secT0}
	if err := st.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	for role, want := range map[string]bool{"admin": true, "ops": true, "auditor": false} {
		if has, err := st.HasRole(ctx, role); err != nil || has != want {
			t.Errorf("HasRole(%q) = %v, %v; want %v", role, has, err, want)
		}
	}
}
