package keys

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MasterKeyFile is the name of the generated master key file, written beside
// the SQLite database.
const MasterKeyFile = "gatehouse.key"

// LoadMasterKey returns the 32-byte master key (README.md "Configuration",
// GATEHOUSE_MASTER_KEY).
//
// value, when set, is the key in base64 (standard or URL alphabet, padded or
// not). When value is empty and sqlitePath names a SQLite file, the key is
// read from gatehouse.key in that file's directory, or generated there (mode
// 0600) at first start. For an in-memory SQLite database (":memory:") a fresh
// key is returned and nothing is written: the keys it seals die with the
// database. With neither (PostgreSQL) it is an error, because every node
// must share one key.
func LoadMasterKey(value string, sqlitePath string) ([]byte, error) {
	if value = strings.TrimSpace(value); value != "" {
		return ParseMasterKey("GATEHOUSE_MASTER_KEY", value)
	}
	switch sqlitePath {
	case "":
		return nil, errors.New("GATEHOUSE_MASTER_KEY is required with PostgreSQL")
	case ":memory:":
		return randomMasterKey()
	}
	path := filepath.Join(filepath.Dir(sqlitePath), MasterKeyFile)
	key, err := readOrCreateKeyFile(path)
	if err != nil {
		return nil, fmt.Errorf("keys.LoadMasterKey(%q): %w", path, err)
	}
	return key, nil
}

// LoadSealer is the Sealer of the configured master keys: the current one
// (LoadMasterKey: GATEHOUSE_MASTER_KEY, or gatehouse.key beside a SQLite
// file), and during a rotation of it the previous one
// (GATEHOUSE_MASTER_KEY_PREVIOUS, base64), which still opens what it
// sealed.
func LoadSealer(current, previous, sqlitePath string) (*Sealer, error) {
	master, err := LoadMasterKey(current, sqlitePath)
	if err != nil {
		return nil, err
	}
	var old [][]byte
	if strings.TrimSpace(previous) != "" {
		p, err := ParseMasterKey("GATEHOUSE_MASTER_KEY_PREVIOUS", previous)
		if err != nil {
			return nil, err
		}
		old = append(old, p)
	}
	return NewSealer(master, old...)
}

// ParseMasterKey decodes a master key given in base64 (standard or URL
// alphabet, padded or not); errors name the setting, never the value.
func ParseMasterKey(setting, value string) ([]byte, error) {
	key, err := decodeMasterKey(strings.TrimSpace(value))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", setting, err)
	}
	return key, nil
}

func decodeMasterKey(s string) ([]byte, error) {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		key, err := enc.DecodeString(s)
		if err != nil {
			continue
		}
		if len(key) != MasterKeySize {
			return nil, fmt.Errorf("master key is %d bytes, want %d (32 random bytes, base64)", len(key), MasterKeySize)
		}
		return key, nil
	}
	return nil, errors.New("master key is not valid base64")
}

func randomMasterKey() ([]byte, error) {
	key := make([]byte, MasterKeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("keys: generate master key: %w", err)
	}
	return key, nil
}

// readOrCreateKeyFile reads the key file, or writes a new one atomically: the
// key goes to a temporary file that is then hard-linked to its name, so two
// processes starting at once never see a half-written file and the loser of
// the race reads the winner's key.
func readOrCreateKeyFile(path string) ([]byte, error) {
	if key, err := readKeyFile(path); !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	key, err := randomMasterKey()
	if err != nil {
		return nil, err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gatehouse.key-*")
	if err != nil {
		return nil, err
	}
	defer os.Remove(tmp.Name())
	// CreateTemp makes the file 0600 already; Chmod keeps that explicit.
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return nil, err
	}
	_, err = tmp.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKeyFile(path)
		}
		return nil, err
	}
	return key, nil
}

func readKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decodeMasterKey(strings.TrimSpace(string(b)))
}
