package console

import "flag"

// The console's screenshots are written by internal/web's TestScreenshots
// (screenshots_admin_test.go). The flag is declared here too so that the
// documented command, go test ./internal/web/... -run '^TestScreenshots$'
// -screenshots, runs in this package as well instead of failing on an
// unknown flag.
var _ = flag.Bool("screenshots", false, "the console's screenshots are made by internal/web's TestScreenshots")
