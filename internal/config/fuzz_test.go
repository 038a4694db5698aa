package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzLimits: GATEHOUSE_RATE_LIMIT_RULES either parses into non-negative
// bounded counts or fails with an error; nothing panics.
func FuzzLimits(f *testing.F) {
	for _, s := range []string{"", "login=60/10/600", "exists=3", "a=1/2/3,b=4", "login=", "=1", "x=-1", "x=1/2/3/4", "x=99999999999999999999", " login = 5 / 6 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rules string) {
		l, err := Config{RateLimitRules: rules}.Limits()
		if err != nil {
			return
		}
		if _, ok := l["default"]; !ok {
			t.Fatalf("%q dropped the default row", rules)
		}
		for name, v := range l {
			if v.PerIP < 0 || v.PerSubject < 0 || v.PerClient < 0 || v.PerIP > 1_000_000 {
				t.Fatalf("%q: %s = %+v", rules, name, v)
			}
		}
	})
}

// FuzzLoadYAML: any configuration file either loads or is refused with an
// error; nothing panics, a file that loads names only known keys, and
// loading it again gives the same settings.
func FuzzLoadYAML(f *testing.F) {
	for _, s := range []string{"", "addr: 127.0.0.1:9000\n", "sources: [license, voting, extra]\n", "require-confirmed-email: no\n",
		"access-ttl: 15\n", "max-body-bytes: 1e6\n", "public-url:\n", "a: {b: c}\n", "master-key-file: /nonexistent\n",
		"sources: [[a]]\n", "hash-nice: 99999999999999999999999\n", "- a\n- b\n", "addr: !!binary AAAA\n", "log-format: &x json\nlog-level: *x\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file := filepath.Join(t.TempDir(), "g.yaml")
		if err := os.WriteFile(file, data, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := Load([]string{"--config", file}, func(string) string { return "" })
		if err != nil {
			return
		}
		var top map[string]any
		if yaml.Unmarshal(data, &top) == nil {
			for k := range top {
				if _, _, ok := byKey(k); !ok {
					t.Fatalf("%q loaded with the unknown key %q", data, k)
				}
			}
		}
		again, err := Load([]string{"--config", file}, func(string) string { return "" })
		if err != nil || !reflect.DeepEqual(c, again) {
			t.Fatalf("%q loaded twice: %+v then %+v, %v", data, c, again, err)
		}
	})
}
