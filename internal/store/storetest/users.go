package storetest

import (
	"math"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

var userTests = []test{
	{"UserByEmail finds an account by every spelling of its address and keeps the stored one", func(t *testing.T, st sqlstore.Backend) {
		jose := newUser(t, st, "José.N@Example.com")            // precomposed é
		jurgen := newUser(t, st, "ju\u0308rgen@bücher.example") // u + combining diaeresis, Unicode domain
		spellings := map[string]identity.User{
			"josé.n@example.com": jose, "jose\u0301.n@example.com": jose, "JOSÉ.N@EXAMPLE.COM": jose, "ｊｏｓé.n@example.com": jose,
			"jürgen@bücher.example": jurgen, "JÜRGEN@xn--bcher-kva.example": jurgen, " jürgen@BÜCHER.example ": jurgen,
		}
		for typed, want := range spellings {
			got, err := st.UserByEmail(ctx, typed)
			noErr(t, "UserByEmail("+typed+")", err)
			same(t, "UserByEmail("+typed+")", got, want)
		}
		if jose.Email != "José.N@Example.com" || jurgen.Email != "ju\u0308rgen@bücher.example" {
			t.Fatalf("stored spellings %q, %q; want them as given", jose.Email, jurgen.Email)
		}
		_, err := st.UserByEmail(ctx, "jurgen@bücher.example")
		wantErr(t, "UserByEmail(jurgen without umlaut)", err, core.ErrNotFound)
	}},
	{"CreateUser and UpdateUser refuse a second spelling of a stored address", func(t *testing.T, st sqlstore.Backend) {
		newUser(t, st, "josé.n@example.com")
		for _, email := range []string{"jose\u0301.n@example.com", "JOSÉ.n@example.com", "josé.n@EXAMPLE.com"} {
			u := identity.User{Email: email, CreatedAt: t0, UpdatedAt: t0}
			wantErr(t, "CreateUser("+email+")", st.CreateUser(ctx, &u), core.ErrLoginTaken)
		}
		other := newUser(t, st, "anna@bücher.example")
		_, err := st.UpdateUser(ctx, other.ID, func(u *identity.User) error { u.Email = "jose\u0301.N@example.com"; return nil })
		wantErr(t, "UpdateUser to a second spelling", err, core.ErrLoginTaken)
		dup := identity.User{Email: "anna@xn--bcher-kva.example", CreatedAt: t0, UpdatedAt: t0}
		wantErr(t, "CreateUser(A-label of a stored Unicode domain)", st.CreateUser(ctx, &dup), core.ErrLoginTaken)
	}},
	{"UpdateUser moves the key with the address", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "old@x.test")
		_, err := st.UpdateUser(ctx, u.ID, func(u *identity.User) error { u.Email = "Neu@Bücher.example"; return nil })
		noErr(t, "UpdateUser", err)
		_, err = st.UserByEmail(ctx, "old@x.test")
		wantErr(t, "UserByEmail(old address)", err, core.ErrNotFound)
		got, err := st.UserByEmail(ctx, "neu@xn--bcher-kva.example")
		noErr(t, "UserByEmail(new address)", err)
		if got.ID != u.ID || got.Email != "Neu@Bücher.example" {
			t.Fatalf("UserByEmail(new address) = %+v", got)
		}
		newUser(t, st, "old@x.test") // the old key is free again
	}},
	{"CreateUser fills the id and uuid and UserByID returns every field", func(t *testing.T, st sqlstore.Backend) {
		u := identity.User{
			Email: "  Ann@Example.COM ", EmailConfirmed: ptr(at(time.Minute)), PasswordHash: "$2a$10$imported",
			Name: "Ann", Locale: "ru", Source: "voting", Roles: []string{"support", "admin", "support"},
			LockedAt: ptr(at(time.Hour)), CreatedAt: t0, UpdatedAt: at(time.Second), LastSeenAt: ptr(at(2 * time.Hour)),
		}
		noErr(t, "CreateUser", st.CreateUser(ctx, &u))
		if u.ID <= 0 || u.ID >= 1<<53 {
			t.Fatalf("ID = %d, want in (0, 2^53)", u.ID)
		}
		if id, err := uuid.Parse(u.UUID); err != nil || id.Version() != 4 {
			t.Fatalf("UUID = %q (%v), want a version 4 UUID", u.UUID, err)
		}
		if u.Email != "Ann@Example.COM" {
			t.Fatalf("Email = %q, want the spelling given, trimmed: Ann@Example.COM", u.Email)
		}
		same(t, "Roles after CreateUser", u.Roles, []string{"admin", "support"})
		got, err := st.UserByID(ctx, u.ID)
		noErr(t, "UserByID", err)
		same(t, "UserByID", got, u)
	}},
	{"CreateUser gives every user a new id and uuid", func(t *testing.T, st sqlstore.Backend) {
		a, b, c := newUser(t, st, "a@x.test"), newUser(t, st, "b@x.test"), newUser(t, st, "c@x.test")
		if !(a.ID < b.ID && b.ID < c.ID) {
			t.Fatalf("ids %d, %d, %d: want increasing", a.ID, b.ID, c.ID)
		}
		if a.UUID == b.UUID || b.UUID == c.UUID || a.UUID == c.UUID {
			t.Fatalf("uuids repeat: %s %s %s", a.UUID, b.UUID, c.UUID)
		}
	}},
	{"CreateUser keeps a given id and uuid and later ids continue above it", func(t *testing.T, st sqlstore.Backend) {
		given := identity.User{ID: 1000, UUID: "6f1c1b2e-8d5e-4f0a-9a51-3f0c2d9e7b11", Email: "old@x.test", CreatedAt: t0, UpdatedAt: t0}
		noErr(t, "CreateUser", st.CreateUser(ctx, &given))
		got, err := st.UserByUUID(ctx, given.UUID)
		noErr(t, "UserByUUID", err)
		if got.ID != 1000 {
			t.Fatalf("ID = %d, want 1000", got.ID)
		}
		if next := newUser(t, st, "new@x.test"); next.ID <= 1000 {
			t.Fatalf("next ID = %d, want above 1000", next.ID)
		}
	}},
	{"CreateUser refuses an e-mail whose key exists, in any spelling", func(t *testing.T, st sqlstore.Backend) {
		newUser(t, st, "ann@example.com")
		for _, email := range []string{"ann@example.com", "ANN@Example.com", " ann@example.com\t", "ＡＮＮ@example.com"} {
			u := identity.User{Email: email, CreatedAt: t0, UpdatedAt: t0}
			wantErr(t, "CreateUser("+email+")", st.CreateUser(ctx, &u), core.ErrLoginTaken)
		}
		_, total, err := st.ListUsers(ctx, identity.UserFilter{})
		noErr(t, "ListUsers", err)
		if total != 1 {
			t.Fatalf("total = %d after refused creations, want 1", total)
		}
	}},
	{"UserByUUID and UserByEmail find the user, the e-mail in any case", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@example.com")
		byUUID, err := st.UserByUUID(ctx, u.UUID)
		noErr(t, "UserByUUID", err)
		same(t, "UserByUUID", byUUID, u)
		byEmail, err := st.UserByEmail(ctx, " ANN@example.COM ")
		noErr(t, "UserByEmail", err)
		same(t, "UserByEmail", byEmail, u)
	}},
	{"Every user method returns ErrNotFound for a missing user", func(t *testing.T, st sqlstore.Backend) {
		newUser(t, st, "someone@x.test")
		const missing = 987654
		calls := map[string]func() error{
			"UserByID":    func() error { _, err := st.UserByID(ctx, missing); return err },
			"UserByUUID":  func() error { _, err := st.UserByUUID(ctx, uuid.NewString()); return err },
			"UserByEmail": func() error { _, err := st.UserByEmail(ctx, "nobody@x.test"); return err },
			"UpdateUser": func() error {
				_, err := st.UpdateUser(ctx, missing, func(*identity.User) error { return nil })
				return err
			},
			"DeleteUser": func() error { return st.DeleteUser(ctx, missing) },
			"TouchUser":  func() error { return st.TouchUser(ctx, missing, t0) },
		}
		for name, call := range calls {
			wantErr(t, name, call(), core.ErrNotFound)
		}
	}},
	{"UpdateUser writes what fn sets and returns it", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		got, err := st.UpdateUser(ctx, u.ID, func(u *identity.User) error {
			u.Name, u.Locale, u.Roles = "Анна", "uk", []string{"owner", "admin"}
			u.EmailConfirmed, u.LockedAt, u.UpdatedAt = ptr(at(time.Minute)), ptr(at(time.Hour)), at(time.Hour)
			u.Email = "ANNA@x.test"
			return nil
		})
		noErr(t, "UpdateUser", err)
		want := u
		want.Name, want.Locale, want.Roles, want.Email = "Анна", "uk", []string{"admin", "owner"}, "ANNA@x.test"
		want.EmailConfirmed, want.LockedAt, want.UpdatedAt = ptr(at(time.Minute)), ptr(at(time.Hour)), at(time.Hour)
		same(t, "UpdateUser result", got, want)
		reread, err := st.UserByID(ctx, u.ID)
		noErr(t, "UserByID", err)
		same(t, "UserByID after UpdateUser", reread, want)
	}},
	{"UpdateUser writes nothing when fn fails and returns its error", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		_, err := st.UpdateUser(ctx, u.ID, func(u *identity.User) error {
			u.Name, u.Roles = "changed", []string{"admin"}
			return core.ErrForbidden
		})
		wantErr(t, "UpdateUser", err, core.ErrForbidden)
		reread, err := st.UserByID(ctx, u.ID)
		noErr(t, "UserByID", err)
		same(t, "user after failed UpdateUser", reread, u)
	}},
	{"UpdateUser to another user's e-mail returns ErrLoginTaken", func(t *testing.T, st sqlstore.Backend) {
		newUser(t, st, "taken@x.test")
		u := newUser(t, st, "ann@x.test")
		_, err := st.UpdateUser(ctx, u.ID, func(u *identity.User) error { u.Email = "Taken@X.test"; return nil })
		wantErr(t, "UpdateUser", err, core.ErrLoginTaken)
		reread, err := st.UserByID(ctx, u.ID)
		noErr(t, "UserByID", err)
		same(t, "user after refused UpdateUser", reread, u)
	}},
	{"UpdateUser keeps the id whatever fn does", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		got, err := st.UpdateUser(ctx, u.ID, func(u *identity.User) error { u.ID = u.ID + 100; return nil })
		noErr(t, "UpdateUser", err)
		if got.ID != u.ID {
			t.Fatalf("ID = %d, want %d", got.ID, u.ID)
		}
		_, err = st.UserByID(ctx, u.ID+100)
		wantErr(t, "UserByID(id+100)", err, core.ErrNotFound)
	}},
	{"TouchUser sets LastSeenAt and leaves UpdatedAt alone", func(t *testing.T, st sqlstore.Backend) {
		u := newUser(t, st, "ann@x.test")
		noErr(t, "TouchUser", st.TouchUser(ctx, u.ID, at(3*time.Hour)))
		got, err := st.UserByID(ctx, u.ID)
		noErr(t, "UserByID", err)
		want := u
		want.LastSeenAt = ptr(at(3 * time.Hour))
		same(t, "user after TouchUser", got, want)
	}},
	{"DeleteUser removes the user and everything it owns, and nothing else", testDeleteUser},
	{"ListUsers pages in id order and counts every user", testListPages},
	{"ListUsers searches e-mail and name without regard to case", testListSearch},
}

func testDeleteUser(t *testing.T, st sqlstore.Backend) {
	u, other := newUser(t, st, "gone@x.test"), newUser(t, st, "stays@x.test")
	_, err := st.UpdateUser(ctx, u.ID, func(u *identity.User) error { u.Roles = []string{"admin"}; return nil })
	noErr(t, "UpdateUser", err)
	noErr(t, "AddAddress", st.AddAddress(ctx, &identity.Address{UserID: u.ID, Address: "0xabc", Chain: "evm", CreatedAt: t0}))
	s, keep := newSession(t, st, u.ID), newSession(t, st, other.ID)
	newRefresh(t, st, s, "gone-refresh", at(time.Hour))
	newRefresh(t, st, keep, "kept-refresh", at(time.Hour))
	newCode(t, st, u, identity.CodeConfirmEmail, "gone-code", at(time.Hour))

	noErr(t, "DeleteUser", st.DeleteUser(ctx, u.ID))
	_, err = st.UserByID(ctx, u.ID)
	wantErr(t, "UserByID", err, core.ErrNotFound)
	_, err = st.SessionByID(ctx, s.ID)
	wantErr(t, "SessionByID", err, core.ErrNotFound)
	_, err = st.RefreshTokenByHash(ctx, hash("gone-refresh"))
	wantErr(t, "RefreshTokenByHash", err, core.ErrNotFound)
	_, err = st.UseCode(ctx, identity.CodeConfirmEmail, hash("gone-code"), t0)
	wantErr(t, "UseCode", err, core.ErrCodeInvalid)
	addrs, err := st.AddressesOf(ctx, u.ID)
	noErr(t, "AddressesOf", err)
	same(t, "addresses of the deleted user", len(addrs), 0)
	wantErr(t, "DeleteUser again", st.DeleteUser(ctx, u.ID), core.ErrNotFound)

	// A user created again under the same id starts without the old roles.
	again := identity.User{ID: u.ID, Email: "gone@x.test", CreatedAt: t0, UpdatedAt: t0}
	noErr(t, "CreateUser again", st.CreateUser(ctx, &again))
	reread, err := st.UserByID(ctx, u.ID)
	noErr(t, "UserByID", err)
	same(t, "roles of the re-created user", reread.Roles, []string(nil))

	_, err = st.SessionByID(ctx, keep.ID)
	noErr(t, "SessionByID of the other user", err)
	if rt, err := st.RefreshTokenByHash(ctx, hash("kept-refresh")); err != nil || rt.UsedAt != nil {
		t.Fatalf("other user's refresh token: %+v, %v; want it unused", rt, err)
	}
}

func testListPages(t *testing.T, st sqlstore.Backend) {
	var all []identity.User
	for _, e := range []string{"e@x.test", "a@x.test", "d@x.test", "b@x.test", "c@x.test"} {
		all = append(all, newUser(t, st, e))
	}
	_, err := st.UpdateUser(ctx, all[1].ID, func(u *identity.User) error { u.Roles = []string{"admin"}; return nil })
	noErr(t, "UpdateUser", err)
	all[1].Roles = []string{"admin"}
	cases := []struct {
		name string
		f    identity.UserFilter
		want []identity.User
	}{
		{"first page", identity.UserFilter{Limit: 2}, all[:2]},
		{"second page", identity.UserFilter{Limit: 2, Offset: 2}, all[2:4]},
		{"last, short page", identity.UserFilter{Limit: 2, Offset: 4}, all[4:]},
		{"past the end", identity.UserFilter{Limit: 2, Offset: 10}, nil},
		{"no limit", identity.UserFilter{}, all},
		{"a huge limit", identity.UserFilter{Limit: math.MaxInt32}, all},
	}
	for _, c := range cases {
		got, total, err := st.ListUsers(ctx, c.f)
		noErr(t, c.name, err)
		if total != len(all) {
			t.Fatalf("%s: total = %d, want %d", c.name, total, len(all))
		}
		if len(got) != len(c.want) {
			t.Fatalf("%s: %d users, want %d", c.name, len(got), len(c.want))
		}
		for i := range got {
			same(t, c.name, got[i], c.want[i])
		}
	}
}

func testListSearch(t *testing.T, st sqlstore.Backend) {
	names := map[string]string{
		"ann@example.com": "Ann Smith", "bob@example.org": "Bob SMITHSON", "olga@x.test": "Ольга Петрова",
		"pct@x.test": "100% sure", "under@x.test": "a_b", "plain@x.test": "axb",
	}
	for email, name := range names {
		u := identity.User{Email: email, Name: name, CreatedAt: t0, UpdatedAt: t0}
		noErr(t, "CreateUser", st.CreateUser(ctx, &u))
	}
	cases := []struct {
		search string
		want   []string // e-mails, any order
	}{
		{"ANN@", []string{"ann@example.com"}},
		{"smith", []string{"ann@example.com", "bob@example.org"}},
		{"EXAMPLE", []string{"ann@example.com", "bob@example.org"}},
		{"ольга", []string{"olga@x.test"}},
		{"ПЕТРОВА", []string{"olga@x.test"}},
		{"%", []string{"pct@x.test"}},
		{"a_b", []string{"under@x.test"}},
		{"nothing like it", nil},
	}
	for _, c := range cases {
		got, total, err := st.ListUsers(ctx, identity.UserFilter{Search: c.search})
		noErr(t, "ListUsers "+c.search, err)
		emails := map[string]bool{}
		for _, u := range got {
			emails[u.Email] = true
		}
		want := map[string]bool{}
		for _, e := range c.want {
			want[e] = true
		}
		same(t, "ListUsers("+c.search+")", emails, want)
		if total != len(c.want) {
			t.Fatalf("ListUsers(%q): total = %d, want %d", c.search, total, len(c.want))
		}
	}
}
