// Package bench is Gatehouse's load tool (cmd/gatehouse-bench): stateful
// scenarios that drive a running server over HTTP, closed-loop (fixed
// concurrency) and open-loop (fixed arrival rate) drivers with warm-up,
// HDR-histogram latencies, the in-process bounds the figures are compared
// with (argon2id hashes and RS256 signatures per second at the same
// parallelism), the server's CPU time and peak RSS read from /proc, SVG
// charts, and a fast seeding of users and sessions straight through the
// store. BENCHMARKS.md at the repository root says how to run it.
package bench
