// Package api embeds the OpenAPI document of Gatehouse's whole HTTP surface.
package api

import (
	_ "embed"
	"strings"
)

//go:embed openapi.yaml
var document string

// Rendered returns the document with the configured platform sources as the
// Source enum (README.md "Configuration", GATEHOUSE_SOURCES: "rendered as an enum into /openapi.yaml").
func Rendered(sources []string) []byte {
	quoted := make([]string, len(sources))
	for i, s := range sources {
		quoted[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
	}
	return []byte(strings.Replace(document, "__SOURCES__", strings.Join(quoted, ", "), 1))
}
