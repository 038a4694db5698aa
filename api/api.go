// Package api embeds the OpenAPI document of Gatehouse's whole HTTP surface.
package api

import (
	_ "embed"
	"regexp"
	"strings"
)

//go:embed openapi.yaml
var document string

// The document names the defaults of two settings on lines that carry a
// marker comment; the server renders them with its own configuration.
var (
	serverLine  = regexp.MustCompile(`(?m)^(\s+- url: ).*( # rendered: GATEHOUSE_PUBLIC_URL)$`)
	sourcesLine = regexp.MustCompile(`(?m)^(\s+enum: ).*( # rendered: GATEHOUSE_SOURCES)$`)
)

// Document returns the document as committed: the default public URL as
// its server, the default platform sources as the Source enum.
func Document() string { return document }

// Rendered returns the document as a server serves it at /openapi.yaml:
// publicURL (GATEHOUSE_PUBLIC_URL) as its one server, so that a client
// generated or pointed from it reaches this deployment, and the configured
// platform sources as the Source enum. An empty publicURL keeps the
// document's.
func Rendered(publicURL string, sources []string) []byte {
	quoted := make([]string, len(sources))
	for i, s := range sources {
		quoted[i] = quote(s)
	}
	doc := replaceValue(document, sourcesLine, "["+strings.Join(quoted, ", ")+"]")
	if publicURL != "" {
		doc = replaceValue(doc, serverLine, quote(publicURL))
	}
	return []byte(doc)
}

// replaceValue puts value between the prefix and the marker of line.
func replaceValue(doc string, line *regexp.Regexp, value string) string {
	return line.ReplaceAllStringFunc(doc, func(m string) string {
		sub := line.FindStringSubmatch(m)
		return sub[1] + value + sub[2]
	})
}

// quote writes s as a YAML double-quoted scalar.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
