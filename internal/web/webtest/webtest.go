// Package webtest drives the hosted pages in a real browser: a whole
// Gatehouse (testenv: real HTTP, a real SQLite file or PostgreSQL schema,
// a real SMTP server) and Debian's Chromium through the DevTools protocol
// (chromedp). Audit runs axe-core, from tools/a11y's lock file, on the
// open page and fails the test on every serious or critical finding.
//
// Chromium is found at $GATEHOUSE_CHROMIUM, /usr/bin/chromium or on PATH;
// when it is absent the test skips, saying why, unless
// GATEHOUSE_TEST_SERVICES=require (CI), where it fails. .ci/run installs
// it and runs npm ci in tools/a11y.
package webtest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// Browser is one Chromium (one profile: cookies of its own) over one
// running Gatehouse, living as long as the test.
type Browser struct {
	Env *testenv.Env
	// Ctx is the browser tab's context: pass it to chromedp.Run, or use Run.
	Ctx context.Context
	t   testing.TB
}

// Desktop and Phone are the viewports the tests and screenshots use; Phone
// is the narrowest screen the pages must work on.
var (
	Desktop = Viewport{Width: 1280, Height: 900}
	Phone   = Viewport{Width: 360, Height: 740, Mobile: true}
)

// Viewport is a screen size in CSS pixels.
type Viewport struct {
	Width, Height int64
	Mobile        bool
}

// required reports whether tests must fail instead of skipping when a
// service (here: Chromium, axe-core) is missing.
func required() bool { return os.Getenv("GATEHOUSE_TEST_SERVICES") == "require" }

func missing(t testing.TB, format string, a ...any) {
	t.Helper()
	if required() {
		t.Fatalf("GATEHOUSE_TEST_SERVICES=require: "+format, a...)
	}
	t.Skipf(format, a...)
}

// Chromium is the browser's path; it skips (or fails under
// GATEHOUSE_TEST_SERVICES=require) when there is none.
func Chromium(t testing.TB) string {
	t.Helper()
	for _, p := range []string{os.Getenv("GATEHOUSE_CHROMIUM"), "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	missing(t, "no Chromium (apt-get install chromium, or set GATEHOUSE_CHROMIUM)")
	return ""
}

// New starts a Gatehouse with opt and a Chromium in front of it, at the
// desktop viewport.
func New(t testing.TB, opt testenv.Options) *Browser {
	t.Helper()
	path := Chromium(t)
	env := testenv.New(t, opt)
	return Attach(t, env, path)
}

// Attach opens another browser (a second person, or the same person on
// another device) on a running Gatehouse.
func Attach(t testing.TB, env *testenv.Env, chromium string) *Browser {
	t.Helper()
	// The profile is no t.TempDir: Chromium's helper processes may still
	// write into it for a moment after the browser has exited, and a
	// TempDir that cannot be removed fails a test that passed. It is
	// removed once they are gone, or left to the system's /tmp cleaning.
	profile, err := os.MkdirTemp("", "gatehouse-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox, // CI runs as root in a container
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
		if os.RemoveAll(profile) != nil {
			_ = os.RemoveAll(profile) // a late write of a helper process: once more
		}
	})
	b := &Browser{Env: env, Ctx: ctx, t: t}
	if err := chromedp.Run(ctx); err != nil { // starts the browser
		t.Fatalf("start chromium: %v", err)
	}
	b.Viewport(Desktop)
	return b
}

// Run runs actions in the tab, each run bounded by a minute; a failure
// fails the test, naming what was tried.
func (b *Browser) Run(actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, time.Minute)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v (at %s)", err, b.Location())
	}
}

// T is the test the browser belongs to.
func (b *Browser) T() testing.TB { return b.t }

// Location is the tab's URL, "" when it cannot be read.
func (b *Browser) Location() string {
	var u string
	ctx, cancel := context.WithTimeout(b.Ctx, 5*time.Second)
	defer cancel()
	_ = chromedp.Run(ctx, chromedp.Location(&u))
	return u
}

// Open navigates to a path of the server and waits for its body.
func (b *Browser) Open(path string) {
	b.t.Helper()
	b.Run(chromedp.Navigate(b.Env.URL+path), chromedp.WaitReady("body", chromedp.ByQuery))
}

// Viewport resizes the tab.
func (b *Browser) Viewport(v Viewport) {
	b.t.Helper()
	b.Run(emulation.SetDeviceMetricsOverride(v.Width, v.Height, 1, v.Mobile))
}

// Path is the tab's current path (and query).
func (b *Browser) Path() string {
	u := b.Location()
	return strings.TrimPrefix(u, b.Env.URL)
}

// Text is the text content of the first element matching a CSS selector.
func (b *Browser) Text(sel string) string {
	b.t.Helper()
	var s string
	b.Run(chromedp.Text(sel, &s, chromedp.ByQuery, chromedp.NodeVisible))
	return s
}

// Field types into the input whose visible label is label (the field's
// accessible name: the pages' contract), after clearing it.
func (b *Browser) Field(label, value string) {
	b.t.Helper()
	b.Fill(b.labelled(label), value)
}

// Fill types into the input a CSS selector names, after clearing it (for
// pages in another language than the contract's English names).
func (b *Browser) Fill(sel, value string) {
	b.t.Helper()
	b.Run(chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%q).value = ''`, sel), nil),
		chromedp.SendKeys(sel, value, chromedp.ByQuery))
}

// labelled is the CSS selector of the control a <label for> of this exact
// text names; it fails the test when no label has it.
func (b *Browser) labelled(label string) string {
	b.t.Helper()
	var id string
	js := fmt.Sprintf(`(() => { const l = [...document.querySelectorAll('label')].find(x => x.textContent.trim() === %q); return l ? l.htmlFor : ''; })()`, label)
	b.Run(chromedp.Evaluate(js, &id))
	if id == "" {
		b.t.Fatalf("no field labelled %q at %s", label, b.Location())
	}
	return "#" + id
}

// Press clicks the button whose text is name and waits for the page it
// leads to (or for the same page again).
func (b *Browser) Press(name string) {
	b.t.Helper()
	sel := fmt.Sprintf(`//button[normalize-space(.)=%q]`, name)
	b.Run(chromedp.WaitVisible(sel, chromedp.BySearch))
	var before string
	b.Run(chromedp.Evaluate(`document.documentElement.dataset.gen = String(Math.random())`, &before))
	b.Run(chromedp.Click(sel, chromedp.BySearch),
		chromedp.WaitNotPresent(`html[data-gen="`+before+`"]`, chromedp.ByQuery),
		chromedp.WaitReady("body", chromedp.ByQuery))
}

// HasButton reports whether a button of this exact text is on the page.
func (b *Browser) HasButton(name string) bool {
	var n int
	b.Run(chromedp.Evaluate(fmt.Sprintf(`[...document.querySelectorAll('button')].filter(x => x.textContent.trim() === %q).length`, name), &n))
	return n > 0
}

// axeSource is axe-core's script, read once.
var axeSource = sync.OnceValues(func() (string, error) {
	_, file, _, _ := runtime.Caller(0)
	p := filepath.Join(filepath.Dir(file), "..", "..", "..", "tools", "a11y", "node_modules", "axe-core", "axe.min.js")
	b, err := os.ReadFile(p)
	return string(b), err
})

// Finding is one axe-core violation.
type Finding struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// Audit runs axe-core (WCAG 2.x A and AA rules) on the open page and fails
// the test on every serious or critical finding. Without axe-core (npm ci
// in tools/a11y) it skips, or fails under GATEHOUSE_TEST_SERVICES=require.
func (b *Browser) Audit() {
	b.t.Helper()
	src, err := axeSource()
	if err != nil {
		missing(b.t, "axe-core is not installed (cd tools/a11y && npm ci): %v", err)
		return
	}
	var out string
	await := func(p *cdpruntime.EvaluateParams) *cdpruntime.EvaluateParams { return p.WithAwaitPromise(true) }
	b.Run(chromedp.Evaluate(src, nil),
		chromedp.Evaluate(`axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}}).then(r => JSON.stringify(r.violations))`, &out, await))
	var found []Finding
	if err := json.Unmarshal([]byte(out), &found); err != nil {
		b.t.Fatalf("axe: %v", err)
	}
	for _, f := range found {
		if f.Impact == "serious" || f.Impact == "critical" {
			b.t.Errorf("axe at %s: %s (%s): %s %v", b.Path(), f.ID, f.Impact, f.Help, f.Nodes)
		}
	}
}
