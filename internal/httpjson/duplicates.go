package httpjson

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/core"
)

// A JSON object that names one member twice is ambiguous (RFC 8259 §4:
// names SHOULD be unique, and receivers differ on which one counts):
// encoding/json keeps the last, another parser in front of Gatehouse may
// keep the first, and the two would then judge different requests, as
// with two Authorization headers. Decode refuses such a body before
// anything is done. encoding/json also fills a struct field from a name
// that differs only in letter case, so such names repeat a member too.

// RepeatedMember walks the first JSON value of body with encoding/json's
// tokenizer and returns the dotted path of the first member whose name an
// earlier member of the same object already had (a list's items are
// named by the list's name, as in the other refusals of Decode). ok is
// false when every object's names are distinct, and when body is not JSON
// (the decoder that runs next says why). The work is one pass over body,
// which the server's cap bounds. The bank door's JSON parameters use it
// too.
func RepeatedMember(body []byte) (path string, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	type frame struct {
		object bool
		path   string
		names  map[string]struct{}
		name   string // the member whose value is being read
		key    bool   // the next token is a name (or the object's end)
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		top := (*frame)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.key {
			if name, isName := tok.(string); isName {
				folded := foldName(name)
				if _, seen := top.names[folded]; seen {
					return join(top.path, name), true
				}
				top.names[folded] = struct{}{}
				top.name, top.key = name, false
				continue
			}
		}
		child := ""
		if top != nil {
			child = top.path
			if top.object {
				child = join(top.path, top.name)
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{object: true, path: child, names: map[string]struct{}{}, key: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{path: child})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			return "", false // the first value is complete
		}
		if p := stack[len(stack)-1]; p.object {
			p.key = true
		}
	}
}

func join(parent, name string) string {
	if parent == "" {
		return name
	}
	return parent + "." + name
}

// foldName maps a member name to what encoding/json matches it with: each
// letter to the smallest of its Unicode simple case folds (so "LOGIN",
// "login" and "ſ"/"s", "K"/"k" meet).
func foldName(name string) string {
	var b []byte
	for _, r := range name {
		min := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < min {
				min = f
			}
		}
		b = utf8.AppendRune(b, min)
	}
	return string(b)
}

// refuseRepeatedMembers answers 400 invalid_json naming the first member
// that an object of body names twice (RepeatedMember); nil otherwise.
func refuseRepeatedMembers(body []byte) error {
	if path, ok := RepeatedMember(body); ok {
		path = core.DisplayText(path, 128) // a name is the client's text: shown, never trusted
		return core.Invalid("invalid_json", path, "member "+strconv.Quote(path)+" is given more than once")
	}
	return nil
}
