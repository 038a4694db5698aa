package config

import (
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/spf13/pflag"
)

// AddFlags adds --config and one flag per setting to fs (and --KEY-file
// for each setting with a _FILE variant), each showing its variable and
// its default. FromFlags applies only the flags a command line set, so a
// flag's default never hides the environment or the file.
func AddFlags(fs *pflag.FlagSet) {
	AddConfigFlag(fs)
	def := Default()
	for _, s := range settings {
		v := fieldOf(&def, s).Elem()
		f := fs.VarPF(&flagValue{typ: flagType(v), value: formatDefault(v.Interface())}, s.key, "", s.help+" ("+s.env+")")
		if f.Value.Type() == "bool" {
			f.NoOptDefVal = "true"
		}
		if s.file {
			fs.VarP(&flagValue{typ: "file"}, s.fileKey(), "", "read --"+s.key+" from this file, without its trailing line break ("+s.fileEnv()+")")
		}
	}
}

// AddConfigFlag adds --config FILE alone.
func AddConfigFlag(fs *pflag.FlagSet) {
	fs.VarP(&flagValue{typ: "file"}, "config", "", "YAML configuration file (GATEHOUSE_CONFIG)")
}

// AddFlag adds the flag of the setting named key (its YAML key), as
// AddFlags would; it panics on a key that is no setting (a programming
// error).
func AddFlag(fs *pflag.FlagSet, key, help string) {
	s, _, ok := byKey(key)
	if !ok {
		panic("config: no setting " + key)
	}
	def := Default()
	v := fieldOf(&def, s).Elem()
	fs.VarP(&flagValue{typ: flagType(v), value: formatDefault(v.Interface())}, s.key, "", help+" ("+s.env+")")
}

// flagValue holds a flag's text: FromFlags decodes it as it decodes the
// environment's.
type flagValue struct{ typ, value string }

func (f *flagValue) String() string     { return f.value }
func (f *flagValue) Set(s string) error { f.value = s; return nil }
func (f *flagValue) Type() string       { return f.typ }

func flagType(v reflect.Value) string {
	if v.Type() == durationType {
		return "duration"
	}
	switch v.Kind() {
	case reflect.Bool:
		return "bool"
	case reflect.Int, reflect.Int64:
		return "int"
	}
	return "string"
}

// formatDefault writes a default as a user writes it: 15m, not 15m0s.
func formatDefault(v any) string {
	d, ok := v.(time.Duration)
	if !ok {
		return fmt.Sprint(v)
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// fieldOf is a pointer to the field of c that s describes.
func fieldOf(c *Config, s setting) reflect.Value {
	return reflect.ValueOf(c).Elem().Field(s.index).Addr()
}

// newFlagSet is a flag set with AddFlags' flags that reports errors to
// its caller only.
func newFlagSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	AddFlags(fs)
	return fs
}
