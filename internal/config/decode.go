package config

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-viper/mapstructure/v2"
)

// Values are typed strictly: a YAML file gives strings, numbers, booleans
// and lists, the environment and flags give strings, and each is converted
// to the field's type or refused with what was expected. The YAML file is
// read as YAML 1.2, where only true and false are booleans, so that a
// string setting keeps `no`, `on` or `NO` (a country code) as written;
// where a boolean is expected, YAML 1.1's words are accepted too
// (yes/no, on/off, y/n) — docs/configuration.md.

// decoderConfig is the mapstructure configuration for one setting.
func decoderConfig(s setting) *mapstructure.DecoderConfig {
	return &mapstructure.DecoderConfig{DecodeHook: strictHook(s)}
}

var durationType = reflect.TypeFor[time.Duration]()

// strictHook converts a raw value to the field's type (the hook returns the
// final value; mapstructure only assigns it).
func strictHook(s setting) mapstructure.DecodeHookFuncType {
	return func(_ reflect.Type, to reflect.Type, data any) (any, error) {
		if data == nil {
			data = "" // a key without a value (`public-url:`)
		}
		if m, ok := data.(map[string]any); ok {
			return nil, fmt.Errorf("want a single value, got a mapping %v", m)
		}
		if to == durationType {
			return toDuration(data)
		}
		switch to.Kind() {
		case reflect.Bool:
			return toBool(data)
		case reflect.Int, reflect.Int64:
			return toInt(data)
		case reflect.String:
			return toString(data, s.list)
		}
		return data, nil
	}
}

func toDuration(data any) (time.Duration, error) {
	switch v := data.(type) {
	case string:
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return 0, fmt.Errorf("want a duration such as 10s, 15m or 1h30m, got %q", v)
		}
		return d, nil
	case int:
		if v == 0 {
			return 0, nil
		}
	}
	return 0, fmt.Errorf("want a duration with its unit, such as 10s, got %v", data)
}

// boolWords are the words a boolean setting accepts, case aside: YAML
// 1.2's true/false, YAML 1.1's yes/no, on/off, y/n, and 1/0.
var boolWords = map[string]bool{"true": true, "false": false, "yes": true, "no": false, "on": true, "off": false,
	"y": true, "n": false, "1": true, "0": false}

func toBool(data any) (bool, error) {
	switch v := data.(type) {
	case bool:
		return v, nil
	case string:
		if b, ok := boolWords[strings.ToLower(strings.TrimSpace(v))]; ok {
			return b, nil
		}
	case int:
		if v == 0 || v == 1 {
			return v == 1, nil
		}
	}
	return false, fmt.Errorf("want true or false (or yes/no, on/off), got %v", quote(data))
}

func toInt(data any) (int64, error) {
	switch v := data.(type) {
	case int:
		return int64(v), nil
	case int64:
		return v, nil
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v), nil
		}
	case float64:
		if v == math.Trunc(v) && math.Abs(v) < 1<<53 {
			return int64(v), nil
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("want a whole number, got %v", quote(data))
}

func toString(data any, list bool) (string, error) {
	switch v := data.(type) {
	case string:
		return v, nil
	case bool, int, int64, uint64, float64:
		return fmt.Sprint(v), nil
	case []any:
		if !list {
			return "", fmt.Errorf("want a single value, got a list %v", v)
		}
		parts := make([]string, len(v))
		for i, e := range v {
			p, err := toString(e, false)
			if err != nil || strings.Contains(p, ",") {
				return "", fmt.Errorf("list item %d: want a single value without a comma, got %v", i+1, quote(e))
			}
			parts[i] = p
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("want a text value, got %v", quote(data))
}

func quote(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}
