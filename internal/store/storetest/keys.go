package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

func key(kid, use string, created, expires time.Time) keys.Record {
	return keys.Record{
		KID: kid, Use: use, Alg: "RS256", PrivateSealed: []byte("sealed " + kid),
		PublicPEM: "-----BEGIN PUBLIC KEY-----\n" + kid + "\n-----END PUBLIC KEY-----\n",
		CreatedAt: created, ActiveFrom: created.Add(time.Minute), RetireAt: created.Add(24 * time.Hour), ExpiresAt: expires,
	}
}

var keyTests = []test{
	{"Keys lists the unexpired keys of the use, newest first", func(t *testing.T, st sqlstore.Backend) {
		old := key("old", "sig", t0, at(48*time.Hour))
		mid := key("mid", "sig", at(time.Hour), at(72*time.Hour))
		newest := key("new", "sig", at(2*time.Hour), at(96*time.Hour))
		expired := key("expired", "sig", at(-time.Hour), at(time.Hour))
		enc := key("enc", "enc", at(3*time.Hour), at(96*time.Hour))
		enc.Alg = "RSA-OAEP-256"
		for _, k := range []keys.Record{mid, expired, newest, enc, old} {
			noErr(t, "InsertKey", st.InsertKey(ctx, &k))
		}
		got, err := st.Keys(ctx, "sig", at(time.Hour))
		noErr(t, "Keys(sig)", err)
		same(t, "Keys(sig) at +1h", got, []keys.Record{newest, mid, old})
		got, err = st.Keys(ctx, "sig", at(50*time.Hour))
		noErr(t, "Keys(sig)", err)
		same(t, "Keys(sig) at +50h", got, []keys.Record{newest, mid})
		got, err = st.Keys(ctx, "enc", t0)
		noErr(t, "Keys(enc)", err)
		same(t, "Keys(enc)", got, []keys.Record{enc})
		got, err = st.Keys(ctx, "sig", at(1000*time.Hour))
		noErr(t, "Keys(sig)", err)
		same(t, "Keys(sig) when all expired", got, []keys.Record(nil))
	}},
	{"UpdateKeys stores a new key and moves the retirement of others", func(t *testing.T, st sqlstore.Backend) {
		old := key("old", "sig", t0, at(48*time.Hour))
		noErr(t, "InsertKey", st.InsertKey(ctx, &old))
		next := key("next", "sig", at(time.Hour), at(96*time.Hour))
		var seen []keys.Record
		err := st.UpdateKeys(ctx, "sig", at(time.Hour), func(recs []keys.Record) (keys.Change, error) {
			seen = recs
			return keys.Change{Insert: &next, Retire: []keys.Retirement{
				{KID: "old", RetireAt: at(2 * time.Hour), ExpiresAt: at(30 * time.Hour)},
				{KID: "unknown", RetireAt: at(time.Hour), ExpiresAt: at(time.Hour)},
			}}, nil
		})
		noErr(t, "UpdateKeys", err)
		same(t, "the keys fn saw", seen, []keys.Record{old})
		old.RetireAt, old.ExpiresAt = at(2*time.Hour), at(30*time.Hour)
		got, err := st.Keys(ctx, "sig", at(time.Hour))
		noErr(t, "Keys", err)
		same(t, "Keys after UpdateKeys", got, []keys.Record{next, old})

		failed := errors.New("fn failed")
		other := key("other", "sig", at(2*time.Hour), at(96*time.Hour))
		err = st.UpdateKeys(ctx, "sig", at(time.Hour), func([]keys.Record) (keys.Change, error) {
			return keys.Change{Insert: &other}, failed
		})
		if !errors.Is(err, failed) {
			t.Fatalf("UpdateKeys with a failing fn: %v", err)
		}
		err = st.UpdateKeys(ctx, "enc", at(time.Hour), func([]keys.Record) (keys.Change, error) {
			return keys.Change{Retire: []keys.Retirement{{KID: "next", RetireAt: t0, ExpiresAt: t0}}}, nil
		})
		noErr(t, "UpdateKeys(enc) retiring a sig key", err)
		got, err = st.Keys(ctx, "sig", at(time.Hour))
		noErr(t, "Keys", err)
		same(t, "Keys after a failed fn and another use's retirement", got, []keys.Record{next, old})
		err = st.UpdateKeys(ctx, "sig", at(time.Hour), func([]keys.Record) (keys.Change, error) {
			dup := next
			return keys.Change{Insert: &dup}, nil
		})
		if err == nil {
			t.Fatal("UpdateKeys inserted a kid twice")
		}
	}},
	{"Ping answers", func(t *testing.T, st sqlstore.Backend) {
		noErr(t, "Ping", st.Ping(ctx))
	}},
}
