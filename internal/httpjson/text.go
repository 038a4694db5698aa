package httpjson

import (
	"net/http"
	"reflect"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
)

// The JSON doors' share of the hostile-bytes rule (core/text.go): every
// query parameter and every string of a decoded body must be text, or the
// request is refused with 400 invalid_text naming the field, before the
// handler reads anything. encoding/json already turns bytes that are not
// UTF-8 into U+FFFD, but lets \u0000 and the other control characters
// through; a query string carries raw bytes (%ff, %00).
//
// A struct field opts out with a tag:
//
//	`text:"multiline"` tabs and line breaks allowed (a PEM block)
//	`text:"secret"`    not checked here: a password is never stored, and
//	                   the core judges it (a new one is refused by the
//	                   password policy, a wrong one at login is counted)

// CheckQuery refuses a query parameter, name or value, that is not text.
func CheckQuery(r *http.Request) error {
	if r.URL.RawQuery == "" {
		return nil
	}
	for k, vs := range r.URL.Query() {
		if !core.IsText(k) {
			return core.InvalidText(core.DisplayText(k, 64))
		}
		for _, v := range vs {
			if !core.IsText(v) {
				return core.InvalidText(k)
			}
		}
	}
	return nil
}

// checkStrings walks a decoded body and refuses the first string that is
// not text, naming its JSON field (a list's items by the list's name).
func checkStrings(v reflect.Value, field, tag string) error {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return checkStrings(v.Elem(), field, tag)
	case reflect.String:
		return checkString(v.String(), field, tag)
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			if err := checkStrings(v.Index(i), field, tag); err != nil {
				return err
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			k := it.Key()
			if k.Kind() == reflect.String {
				if err := checkString(k.String(), field, ""); err != nil {
					return err
				}
			}
			if err := checkStrings(it.Value(), field, tag); err != nil {
				return err
			}
		}
	case reflect.Struct:
		return checkStruct(v, field)
	}
	return nil
}

func checkStruct(v reflect.Value, parent string) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous { // encoding/json fills an embedded struct's fields, exported or not
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case name == "-":
			continue
		case name == "" && f.Anonymous: // an embedded struct's fields are its parent's
			name = parent
		case name == "":
			name = f.Name
		}
		if parent != "" && name != parent {
			name = parent + "." + name
		}
		if err := checkStrings(v.Field(i), name, f.Tag.Get("text")); err != nil {
			return err
		}
	}
	return nil
}

func checkString(s, field, tag string) error {
	switch {
	case tag == "secret":
		return nil
	case tag == "multiline" && core.IsMultilineText(s):
		return nil
	case core.IsText(s):
		return nil
	}
	if field == "" {
		field = "body"
	}
	return core.InvalidText(field)
}
