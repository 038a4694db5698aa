#!/bin/sh
# Every ratio BENCHMARKS.md quotes from a scripts/bench-perf2.sh run:
#   scripts/bench-perf2-summary.sh DIR
# Each figure is the median of the rounds, every round listed beside it.
set -eu
DIR=${1:?usage: bench-perf2-summary.sh DIR}
BENCH=${BENCH:-$(dirname "$0")/../gatehouse-bench}
[ -x "$BENCH" ] || BENCH="go run ./cmd/gatehouse-bench"
ratios() { # ratios TITLE NAME=NUM/DEN...
	echo "## $1"; shift
	set -- $(for r in "$@"; do printf -- '--ratio %s ' "$r"; done)
	$BENCH rounds --dir "$DIR" "$@"
	echo
}
if ls "$DIR"/r1-after-pg-refresh.json >/dev/null 2>&1; then
	ratios "refresh (item 4): share of the RS256 signing bound, after ÷ before, CPU per request" \
		pg-before=before/pg-refresh:rps/bound:sign pg-after=after/pg-refresh:rps/bound:sign \
		pg-after÷before=after/pg-refresh:rps/before/pg-refresh:rps \
		pg-cpu-before÷after=before/pg-refresh:cpu/after/pg-refresh:cpu \
		pg-p99-after÷before=after/pg-refresh:p99/before/pg-refresh:p99 \
		sqlite-before=before/sqlite-refresh:rps/bound:sign sqlite-after=after/sqlite-refresh:rps/bound:sign \
		sqlite-cpu-before÷after=before/sqlite-refresh:cpu/after/sqlite-refresh:cpu \
		sign-cpu÷pg-refresh-cpu-after=bound:sign:cpu/after/pg-refresh:cpu \
		sign-cpu÷pg-refresh-cpu-before=bound:sign:cpu/before/pg-refresh:cpu \
		pg-reads-after÷before=after/pg-profile:rps/before/pg-profile:rps \
		pg-reads-cpu-before÷after=before/pg-profile:cpu/after/pg-profile:cpu
fi
if ls "$DIR"/r1-noop-status16.json >/dev/null 2>&1; then
	ratios "/status (item 6): throughput and CPU per request against a handler that touches nothing" \
		before=before/status16:rps/noop/status16:rps after=after/status16:rps/noop/status16:rps \
		cpu-noop÷before=noop/status16:cpu/before/status16:cpu cpu-noop÷after=noop/status16:cpu/after/status16:cpu \
		after÷before=after/status16:rps/before/status16:rps
fi
if ls "$DIR"/r1-after-login2.json >/dev/null 2>&1; then
	ratios "sign-ins (item 2): one bare hash's CPU ÷ a sign-in's server CPU (hash worker included)" \
		platform-before=bound:argon2id:cpu/before/login2:cpu platform-after=bound:argon2id:cpu/after/login2:cpu \
		cashdesk-before=bound:argon2id:cpu/before/cashdesk2:cpu cashdesk-after=bound:argon2id:cpu/after/cashdesk2:cpu
	echo "## sign-ins (item 2): server CPU ms per sign-in outside the hash (its CPU − one bare hash's), by round"
	echo "| round | bare hash | platform before | platform after | cashdesk before | cashdesk after |"
	echo "|---|---:|---:|---:|---:|---:|"
	for b in "$DIR"/r*-bound-argon2id.json; do
		r=$(basename "$b" | sed 's/^r\([0-9]*\)-.*/\1/')
		jq -rn --slurpfile b "$b" --slurpfile pb "$DIR/r$r-before-login2.json" --slurpfile pa "$DIR/r$r-after-login2.json" \
			--slurpfile cb "$DIR/r$r-before-cashdesk2.json" --slurpfile ca "$DIR/r$r-after-cashdesk2.json" --arg r "$r" \
			'def r2: . * 100 | round / 100; $b[0].cpu_ms_per_op as $h |
			"| \($r) | \($h|r2) | \($pb[0].server.cpu_ms_per_request - $h|r2) | \($pa[0].server.cpu_ms_per_request - $h|r2) | \($cb[0].server.cpu_ms_per_request - $h|r2) | \($ca[0].server.cpu_ms_per_request - $h|r2) |"'
	done
fi
