// Package certtest holds the X.509 fixtures of the cashdesk door's tests
// (see testdata/README.md for how they were made and what they contain).
package certtest

import (
	"embed"
)

//go:embed testdata/*.pem testdata/*.der
var files embed.FS

// Load returns the fixture file name (e.g. "cashier.pem"); it panics on a
// missing name, which is a bug in the test.
func Load(name string) []byte {
	b, err := files.ReadFile("testdata/" + name)
	if err != nil {
		panic("certtest: " + err.Error())
	}
	return b
}
