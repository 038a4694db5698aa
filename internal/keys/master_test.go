package keys_test

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gatehouse/gatehouse/internal/keys"
)

func TestLoadMasterKeyDecodesTheConfiguredValue(t *testing.T) {
	want := bytes.Repeat([]byte{0xfb}, 32) // 0xfb makes '+'/'/' vs '-'/'_' differ
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		got, err := keys.LoadMasterKey(" "+enc.EncodeToString(want)+"\n", "")
		if err != nil {
			t.Fatalf("LoadMasterKey: %v", err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("key = %x, want %x", got, want)
		}
	}
}

func TestLoadMasterKeyRefusesBadValues(t *testing.T) {
	for _, v := range []string{"not base64!", base64.StdEncoding.EncodeToString(make([]byte, 16))} {
		if _, err := keys.LoadMasterKey(v, "/tmp/x.db"); err == nil {
			t.Errorf("LoadMasterKey(%q) accepted", v)
		}
	}
}

func TestLoadMasterKeyIsRequiredWithoutSQLite(t *testing.T) {
	_, err := keys.LoadMasterKey("", "")
	if err == nil || err.Error() != "GATEHOUSE_MASTER_KEY is required with PostgreSQL" {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadMasterKeyCreatesAPrivateFileBesideTheDatabaseAndReusesIt(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "gatehouse.db")
	first, err := keys.LoadMasterKey("", db)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, keys.MasterKeyFile)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if mode := fi.Mode().Perm(); mode != 0o600 {
		t.Fatalf("mode = %o, want 600", mode)
	}
	text, _ := os.ReadFile(path)
	if onDisk, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(string(text))); !bytes.Equal(onDisk, first) {
		t.Fatalf("file holds %q, not the returned key", text)
	}
	again, err := keys.LoadMasterKey("", db)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, again) || len(first) != 32 {
		t.Fatalf("second load = %x, first %x", again, first)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only the key file", len(entries))
	}
}

func TestLoadMasterKeyRacingStartsAgreeOnOneKey(t *testing.T) {
	db := filepath.Join(t.TempDir(), "g.db")
	const n = 8
	got := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = keys.LoadMasterKey("", db) })
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("load %d: %v", i, errs[i])
		}
		if !bytes.Equal(got[i], got[0]) {
			t.Fatalf("load %d returned another key", i)
		}
	}
}

func TestLoadMasterKeyForAnInMemoryDatabaseWritesNothing(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	k, err := keys.LoadMasterKey("", ":memory:")
	if err != nil || len(k) != 32 {
		t.Fatalf("key %x, err %v", k, err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("wrote %d files", len(entries))
	}
}
