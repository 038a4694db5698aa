//go:build pprof

package main

// Profiling for benchmarks only (BENCHMARKS.md): compiled in with
// `go build -tags pprof`, and even then served only when
// GATEHOUSE_PPROF_ADDR names a loopback address. A production build has
// none of it.

import (
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof" // registers /debug/pprof/ on http.DefaultServeMux, which Gatehouse's own mux never serves
	"os"
)

func init() {
	addr := os.Getenv("GATEHOUSE_PPROF_ADDR")
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		fmt.Fprintf(os.Stderr, "gatehouse: GATEHOUSE_PPROF_ADDR %q must be a loopback host:port; pprof not started\n", addr)
		return
	}
	go func() {
		if err := http.ListenAndServe(addr, nil); err != nil {
			fmt.Fprintln(os.Stderr, "gatehouse: pprof:", err)
		}
	}()
}
