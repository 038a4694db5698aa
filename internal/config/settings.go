package config

import (
	"reflect"
	"strings"
)

// setting is one field of Config as the loader sees it, read from the
// field's tags once.
type setting struct {
	index  int
	key    string // YAML key and flag name
	env    string // environment variable
	help   string
	secret bool // redacted in the log
	file   bool // has a _FILE variant: the value is read from a file
	list   bool // a YAML list is accepted and kept comma-separated
	empty  string
}

// fileKey, fileEnv: the names of the _FILE variant of a setting.
func (s setting) fileKey() string { return s.key + "-file" }
func (s setting) fileEnv() string { return s.env + "_FILE" }

var settings = func() []setting {
	t := reflect.TypeFor[Config]()
	out := make([]setting, 0, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		s := setting{index: i, key: f.Tag.Get("key"), env: f.Tag.Get("env"), help: f.Tag.Get("help"),
			secret: f.Tag.Get("secret") == "true", list: f.Tag.Get("list") == "true", empty: f.Tag.Get("empty")}
		s.file = s.secret || f.Tag.Get("file") == "true"
		out = append(out, s)
	}
	return out
}()

// byKey finds the setting whose YAML key (or _FILE key, then file is
// true) is key.
func byKey(key string) (s setting, file, ok bool) {
	for _, s := range settings {
		if s.key == key {
			return s, false, true
		}
		if s.file && s.fileKey() == key {
			return s, true, true
		}
	}
	return setting{}, false, false
}

// otherVariables are GATEHOUSE_* variables that are read but are no
// setting of Config: the YAML file's name, and the profiling address of a
// build with -tags pprof (cmd/gatehouse/pprof.go).
var otherVariables = []string{"GATEHOUSE_CONFIG", "GATEHOUSE_PPROF_ADDR"}

// knownVariable tells whether name is a variable Gatehouse reads. The
// test harness's own GATEHOUSE_TEST_* variables count as known.
func knownVariable(name string) bool {
	if strings.HasPrefix(name, "GATEHOUSE_TEST_") {
		return true
	}
	for _, s := range settings {
		if s.env == name || (s.file && s.fileEnv() == name) {
			return true
		}
	}
	for _, o := range otherVariables {
		if o == name {
			return true
		}
	}
	return false
}

// variableNames lists every variable a user may set (for suggestions).
func variableNames() []string {
	out := append([]string(nil), otherVariables...)
	for _, s := range settings {
		out = append(out, s.env)
		if s.file {
			out = append(out, s.fileEnv())
		}
	}
	return out
}

// keyNames lists every YAML key (for suggestions).
func keyNames() []string {
	var out []string
	for _, s := range settings {
		out = append(out, s.key)
		if s.file {
			out = append(out, s.fileKey())
		}
	}
	return out
}

// closest is the candidate within two edits of name (a typo such as
// GATEHOUSE_ADRR), or "".
func closest(name string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if d := distance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the optimal string alignment distance (edits, counting a
// swap of two neighbours as one), for suggestions only.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range rb {
		d[0][j+1] = j + 1
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
