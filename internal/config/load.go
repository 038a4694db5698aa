package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/knadh/koanf/parsers/yaml"
	"github.com/knadh/koanf/providers/rawbytes"
	"github.com/knadh/koanf/v2"
	"github.com/spf13/pflag"
)

// Load fills a Config from defaults, then the YAML file named by --config
// (or GATEHOUSE_CONFIG), then the environment, then the flags in args (the
// flags of `gatehouse serve`, AddFlags): a flag beats the environment,
// which beats the file. getenv is Environ in production; an empty
// variable reads as unset. Errors name the setting and where its value
// came from: an unknown YAML key, a value of the wrong type, a setting
// given both directly and as _FILE in one place, an unreadable file.
// Validate is separate: call it on the result.
func Load(args []string, getenv func(string) string) (Config, error) {
	fs := newFlagSet()
	if err := fs.Parse(args); err != nil {
		return Default(), err
	}
	return FromFlags(fs, getenv)
}

// FromFlags is Load with flags already parsed into fs: only the flags the
// command line set are applied, and fs may hold any subset of AddFlags'
// flags (an operator's command takes --config and --database-url only).
func FromFlags(fs *pflag.FlagSet, getenv func(string) string) (Config, error) {
	c := Default()
	k := koanf.New(".")
	path := getenv("GATEHOUSE_CONFIG")
	if f := fs.Lookup("config"); f != nil && f.Changed {
		path = f.Value.String()
	}
	origin := map[string]string{} // key → where its value came from, for errors
	if path != "" {
		file, err := fileLayer(path)
		if err != nil {
			return c, err
		}
		if err := merge(k, file, origin, "config file "+path); err != nil {
			return c, err
		}
	}
	if err := merge(k, envLayer(getenv), origin, "environment"); err != nil {
		return c, err
	}
	if err := merge(k, flagLayer(fs), origin, "command line"); err != nil {
		return c, err
	}
	var errs []error
	for _, s := range settings {
		if !k.Exists(s.key) {
			continue
		}
		field := fieldOf(&c, s).Interface()
		if err := k.UnmarshalWithConf(s.key, field, koanf.UnmarshalConf{DecoderConfig: decoderConfig(s)}); err != nil {
			errs = append(errs, fmt.Errorf("%s: %s (%s): %w", origin[s.key], s.key, s.env, unwrapDecode(err)))
		}
	}
	if !k.Exists("public-url") {
		c.PublicURL = c.defaultPublicURL()
	}
	c.PublicURL = normalizePublicURL(c.PublicURL)
	return c, errors.Join(errs...)
}

// layer is one source's values by YAML key, _FILE variants still unread.
type layer map[string]any

// fileLayer reads and parses the YAML file; every key must be a setting.
func fileLayer(path string) (layer, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config file: %w", err)
	}
	fk := koanf.New(".")
	if err := fk.Load(rawbytes.Provider(raw), yaml.Parser()); err != nil {
		return nil, fmt.Errorf("config file %s: %w", path, err)
	}
	var unknown []string
	out := layer{}
	for key, v := range fk.All() {
		if _, _, ok := byKey(key); !ok {
			unknown = append(unknown, unknownKey(key))
			continue
		}
		out[key] = v
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("config file %s: %s", path, strings.Join(unknown, "; "))
	}
	return out, nil
}

func unknownKey(key string) string {
	msg := fmt.Sprintf("unknown key %q", key)
	if s := closest(key, keyNames()); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

// envLayer reads every setting's variable and its _FILE variant.
func envLayer(getenv func(string) string) layer {
	out := layer{}
	for _, s := range settings {
		if v := getenv(s.env); v != "" {
			out[s.key] = v
		}
		if v := getenv(s.fileEnv()); s.file && v != "" {
			out[s.fileKey()] = v
		}
	}
	return out
}

// flagLayer takes the flags the command line set.
func flagLayer(fs *pflag.FlagSet) layer {
	out := layer{}
	fs.Visit(func(f *pflag.Flag) {
		if _, _, ok := byKey(f.Name); ok {
			out[f.Name] = f.Value.String()
		}
	})
	return out
}

// merge reads the _FILE variants of one layer and merges it over k.
func merge(k *koanf.Koanf, l layer, origin map[string]string, from string) error {
	var errs []error
	for key, v := range l {
		s, file, _ := byKey(key)
		if !file {
			continue
		}
		if _, both := l[s.key]; both {
			errs = append(errs, fmt.Errorf("%s: %s and %s are both set; keep one", from, name(s, false, from), name(s, true, from)))
			continue
		}
		path, ok := v.(string)
		if !ok || path == "" {
			errs = append(errs, fmt.Errorf("%s: %s: want a file name", from, name(s, true, from)))
			continue
		}
		secret, err := readSecretFile(path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %s: %w", from, name(s, true, from), err))
			continue
		}
		l[s.key] = secret
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for key, v := range l {
		if s, file, _ := byKey(key); !file {
			if err := k.Set(s.key, v); err != nil {
				return fmt.Errorf("%s: %s: %w", from, key, err)
			}
			origin[s.key] = from
		}
	}
	return nil
}

// name is how a source calls a setting: its variable in the environment,
// its key elsewhere.
func name(s setting, file bool, from string) string {
	switch {
	case from == "environment" && file:
		return s.fileEnv()
	case from == "environment":
		return s.env
	case from == "command line" && file:
		return "--" + s.fileKey()
	case from == "command line":
		return "--" + s.key
	case file:
		return s.fileKey()
	}
	return s.key
}

// maxSecretFile caps a _FILE variant's size: secrets and URLs are short.
const maxSecretFile = 64 << 10

// readSecretFile is a _FILE variant's value: the file's content without
// its trailing line break (what `echo` or an editor leaves).
func readSecretFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", err
	}
	if len(raw) > maxSecretFile {
		return "", fmt.Errorf("%s is larger than %d bytes", path, maxSecretFile)
	}
	v := strings.TrimRight(string(raw), "\r\n")
	if v == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return v, nil
}

// unwrapDecode drops mapstructure's framing ("decoding failed due to…")
// so that the message is the hook's own.
func unwrapDecode(err error) error {
	for {
		var inner interface{ Unwrap() []error }
		if errors.As(err, &inner) && len(inner.Unwrap()) == 1 {
			err = inner.Unwrap()[0]
			continue
		}
		if u := errors.Unwrap(err); u != nil {
			err = u
			continue
		}
		return err
	}
}
