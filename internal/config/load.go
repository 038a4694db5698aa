package config

import (
	"flag"
	"fmt"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Load fills a Config from defaults, then the YAML file named by --config
// (or GATEHOUSE_CONFIG), then the environment, then flags: a flag beats the
// environment, which beats the file. getenv is os.Getenv in production.
func Load(args []string, getenv func(string) string) (Config, error) {
	c := Default()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	configPath := fs.String("config", getenv("GATEHOUSE_CONFIG"), "YAML configuration file")
	set := map[string]string{}
	forEach(&c, func(f reflect.StructField, _ reflect.Value) {
		key := f.Tag.Get("key")
		fs.Func(key, f.Tag.Get("help")+" ("+f.Tag.Get("env")+")", func(s string) error { set[key] = s; return nil })
	})
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if *configPath != "" {
		raw, err := os.ReadFile(*configPath)
		if err != nil {
			return c, fmt.Errorf("config file: %w", err)
		}
		file := map[string]any{}
		if err := yaml.Unmarshal(raw, &file); err != nil {
			return c, fmt.Errorf("config file %s: %w", *configPath, err)
		}
		if err := apply(&c, func(f reflect.StructField) (string, bool) {
			v, ok := file[f.Tag.Get("key")]
			return fmt.Sprint(v), ok
		}); err != nil {
			return c, fmt.Errorf("config file %s: %w", *configPath, err)
		}
	}
	if err := apply(&c, func(f reflect.StructField) (string, bool) {
		v, ok := getenv(f.Tag.Get("env")), getenv(f.Tag.Get("env")) != ""
		return v, ok
	}); err != nil {
		return c, err
	}
	if err := apply(&c, func(f reflect.StructField) (string, bool) {
		v, ok := set[f.Tag.Get("key")]
		return v, ok
	}); err != nil {
		return c, err
	}
	return c, nil
}

func forEach(c *Config, fn func(reflect.StructField, reflect.Value)) {
	v := reflect.ValueOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		fn(v.Type().Field(i), v.Field(i))
	}
}

// apply sets each field for which lookup has a value, parsing by type.
func apply(c *Config, lookup func(reflect.StructField) (string, bool)) error {
	var firstErr error
	forEach(c, func(f reflect.StructField, v reflect.Value) {
		s, ok := lookup(f)
		if !ok || firstErr != nil {
			return
		}
		if err := setValue(v, s); err != nil {
			firstErr = fmt.Errorf("%s: %w", f.Tag.Get("env"), err)
		}
	})
	return firstErr
}

func setValue(v reflect.Value, s string) error {
	switch v.Interface().(type) {
	case string:
		v.SetString(s)
	case bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("want true or false, got %q", s)
		}
		v.SetBool(b)
	case time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("want a duration such as 10s, got %q", s)
		}
		v.SetInt(int64(d))
	case int, int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("want a whole number, got %q", s)
		}
		v.SetInt(n)
	}
	return nil
}

// Redacted lists the effective settings for the start-up log, with secrets
// (and passwords inside URLs) replaced.
func (c Config) Redacted() []any {
	var out []any
	forEach(&c, func(f reflect.StructField, v reflect.Value) {
		val := fmt.Sprint(v.Interface())
		switch {
		case f.Tag.Get("secret") == "true" && strings.Contains(val, "://"):
			val = redactURL(val)
		case f.Tag.Get("secret") == "true" && val != "":
			val = "[redacted]"
		case strings.Contains(val, "://"):
			val = redactURL(val) // a postgres:// URL may carry a password
		}
		out = append(out, f.Tag.Get("key"), val)
	})
	return out
}

func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "[redacted]"
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "redacted")
	}
	return u.String()
}
