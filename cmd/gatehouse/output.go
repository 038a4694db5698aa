package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// outputFlag adds --output (-o): table for people (the default), json for
// programs (the admin API's shapes).
func outputFlag(fs *pflag.FlagSet) {
	fs.StringP("output", "o", "table", "table or json")
}

// print writes v (a view of the admin API) as --output asks.
func (c *cli) print(cmd *cobra.Command, v any) error {
	format, _ := cmd.Flags().GetString("output")
	switch format {
	case "json":
		enc := json.NewEncoder(c.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	case "table", "":
		raw, err := json.Marshal(v)
		if err != nil {
			return err
		}
		n, err := parseOrdered(raw)
		if err != nil {
			return err
		}
		return writeTable(c.stdout, n)
	}
	return usage(cmd, "--output %q: want table or json", format)
}

// done reports an action that has no record to show: msg for people, v
// for programs.
func (c *cli) done(cmd *cobra.Command, msg string, v any) error {
	if format, _ := cmd.Flags().GetString("output"); format == "json" {
		return c.print(cmd, v)
	}
	_, err := fmt.Fprintln(c.stdout, msg)
	return err
}

// node is a JSON value with its object keys in the order written, so that
// a table's columns come in the order of the admin API's views.
type node struct {
	keys []string
	obj  map[string]node
	arr  []node
	val  any // a scalar; nil for null
	kind byte
}

func parseOrdered(raw []byte) (node, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return readNode(dec)
}

func readNode(dec *json.Decoder) (node, error) {
	tok, err := dec.Token()
	if err != nil {
		return node{}, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			n := node{kind: '{', obj: map[string]node{}}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return n, err
				}
				v, err := readNode(dec)
				if err != nil {
					return n, err
				}
				n.keys = append(n.keys, k.(string))
				n.obj[k.(string)] = v
			}
			_, err := dec.Token()
			return n, err
		}
		n := node{kind: '['}
		for dec.More() {
			v, err := readNode(dec)
			if err != nil {
				return n, err
			}
			n.arr = append(n.arr, v)
		}
		_, err := dec.Token()
		return n, err
	}
	return node{val: tok}, nil
}

// writeTable writes an object as KEY VALUE lines, a list of objects as
// rows under a header, and an object holding one such list (a page:
// users and total) as the list then its other fields.
func writeTable(w io.Writer, n node) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	switch {
	case n.kind == '[':
		rows(tw, n)
	case n.kind == '{' && listField(n) != "":
		list := listField(n)
		rows(tw, n.obj[list])
		tw.Flush()
		for _, k := range n.keys {
			if k != list {
				fmt.Fprintf(tw, "%s:\t%s\n", k, cell(n.obj[k]))
			}
		}
	case n.kind == '{':
		for _, k := range n.keys {
			fmt.Fprintf(tw, "%s\t%s\n", k, cell(n.obj[k]))
		}
	default:
		fmt.Fprintln(tw, cell(n))
	}
	return tw.Flush()
}

// listField is the one field of n that is a list of objects, or "". An
// empty list counts only in a page (an object with a total): elsewhere
// it is a field like any other (a user's roles: none).
func listField(n node) string {
	found := ""
	_, page := n.obj["total"]
	for _, k := range n.keys {
		if v := n.obj[k]; v.kind == '[' && ((len(v.arr) == 0 && page) || (len(v.arr) > 0 && v.arr[0].kind == '{')) {
			if found != "" {
				return ""
			}
			found = k
		}
	}
	return found
}

func rows(w io.Writer, list node) {
	if len(list.arr) == 0 {
		fmt.Fprintln(w, "(none)")
		return
	}
	var cols []string
	seen := map[string]bool{}
	for _, r := range list.arr {
		for _, k := range r.keys {
			if !seen[k] {
				seen[k] = true
				cols = append(cols, k)
			}
		}
	}
	fmt.Fprintln(w, strings.ToUpper(strings.Join(cols, "\t")))
	for _, r := range list.arr {
		cells := make([]string, len(cols))
		for i, k := range cols {
			cells[i] = cell(r.obj[k])
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
}

// cell is a value on one line: lists of text joined by commas, nested
// objects as compact JSON, null as "-", empty text as nothing, control characters (a name may
// hold any) escaped so that they neither break the table nor reach the
// terminal.
func cell(n node) string {
	switch n.kind {
	case '[':
		parts := make([]string, len(n.arr))
		sep := ","
		for i, e := range n.arr {
			parts[i] = cell(e)
			if e.kind == '[' {
				sep = "; " // a list of lists: the bank's factor chains
			}
		}
		return strings.Join(parts, sep)
	case '{':
		return printable(compactJSON(n))
	}
	switch v := n.val.(type) {
	case nil:
		return "-"
	case string:
		return printable(v)
	}
	return fmt.Sprint(n.val)
}

func printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			fmt.Fprintf(&b, "\\u%04x", r)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// compactJSON is n as JSON on one line, its members in their order (a
// client's jwks can be copied back into --jwks-file).
func compactJSON(n node) string {
	var b strings.Builder
	switch n.kind {
	case '{':
		b.WriteString("{")
		for i, k := range n.keys {
			if i > 0 {
				b.WriteString(",")
			}
			key, _ := json.Marshal(k)
			b.Write(key)
			b.WriteString(":" + compactJSON(n.obj[k]))
		}
		b.WriteString("}")
	case '[':
		b.WriteString("[")
		for i, e := range n.arr {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(compactJSON(e))
		}
		b.WriteString("]")
	default:
		v, err := json.Marshal(n.val) // string, json.Number, bool or nil
		if err != nil {
			return fmt.Sprint(n.val)
		}
		b.Write(v)
	}
	return b.String()
}
