#!/bin/sh
# Before/after of two builds in one run (BENCHMARKS.md, "Metrics and
# request ids"): the work tree (after) and git revision BEFORE are built,
# then each scenario runs on each build in interleaved rounds (A B, then
# B A, …) on fresh copies of one seeded SQLite database, while a scraper
# reads /metrics every 5 s as Prometheus would. Prints each round's
# throughput and CPU per request, both ratios of each round, and their
# medians with the spread.
#   scripts/bench-ab.sh BEFORE_REV [ROUNDS]
# SERVER_CPUS/TOOL_CPUS pin the server and the load tool (bench-lib.sh);
# SCENARIOS (default "profile refresh"), DURATION (10s), USERS (10000),
# CONC (2 × the server's cores) tune the runs.
. "$(dirname "$0")/bench-lib.sh"
BEFORE=${1:?usage: scripts/bench-ab.sh BEFORE_REV [ROUNDS]}
ROUNDS=${2:-6}
DURATION=${DURATION:-10s}
USERS=${USERS:-10000}
SCENARIOS=${SCENARIOS:-"profile refresh"}
if [ -n "$SERVER_CPUS" ]; then CONC=${CONC:-$((2 * $(taskset -c "$SERVER_CPUS" nproc)))}; fi
CONC=${CONC:-$((2 * $(nproc)))}
OUT=$WORK/ab
rm -rf "$OUT" "$WORK/before-src" && mkdir -p "$OUT" "$WORK/before-src"

build
cp "$WORK/gatehouse" "$WORK/gatehouse-after"
git -C "$ROOT" archive "$BEFORE" | tar -x -C "$WORK/before-src"
(cd "$WORK/before-src" && go build -o "$WORK/gatehouse-before" ./cmd/gatehouse)
rm -f "$WORK"/ab-seed.db*
"$WORK/gatehouse-bench" seed --database-url "sqlite://$WORK/ab-seed.db" --users "$USERS" --sessions-per-user 1

# run LABEL ROUND: one server of that build on a fresh copy of the seed.
run() {
	cp "$WORK/gatehouse-$1" "$WORK/gatehouse"
	rm -f "$WORK"/ab-run.db* && cp "$WORK/ab-seed.db" "$WORK/ab-run.db"
	start "sqlite://$WORK/ab-run.db"
	(while sleep 5; do curl -s "http://$MANAGEMENT_ADDR/metrics" >/dev/null 2>&1 || :; done) &
	scraper=$!
	for s in $SCENARIOS; do
		pin "$TOOL_CPUS" "$WORK/gatehouse-bench" run --quiet --url "$URL" --users "$USERS" --server-pid "$SERVER_PID" \
			--scenario "$s" --concurrency "$CONC" --duration "$DURATION" --warmup 2s --json "$OUT/$s-$1-$2.json"
	done
	kill "$scraper" 2>/dev/null || :
	stop
}
trap stop EXIT
r=1
while [ "$r" -le "$ROUNDS" ]; do
	if [ $((r % 2)) -eq 1 ]; then run before "$r"; run after "$r"; else run after "$r"; run before "$r"; fi
	r=$((r + 1))
done

# Two ratios per round: throughput (after/before) and CPU per request
# (before/after: what a saturated node's throughput follows). On a shared
# machine the first also measures how much CPU the kernel gave each server
# (the "busy" columns: share of its core); the second does not.
for s in $SCENARIOS; do
	echo "## $s (concurrency $CONC, $DURATION per run)"
	echo "| round | before req/s | after req/s | after/before | before CPU ms/req | after CPU ms/req | before/after CPU | busy before | busy after |"
	echo "|---|---|---|---|---|---|---|---|---|"
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		jq -rn --slurpfile b "$OUT/$s-before-$r.json" --slurpfile a "$OUT/$s-after-$r.json" --arg r "$r" \
			'def r3: . * 1000 | round / 1000; $b[0] as $b | $a[0] as $a |
			"| \($r) | \($b.throughput_rps|floor) | \($a.throughput_rps|floor) | \($a.throughput_rps/$b.throughput_rps|r3) | \($b.server.cpu_ms_per_request|r3) | \($a.server.cpu_ms_per_request|r3) | \($b.server.cpu_ms_per_request/$a.server.cpu_ms_per_request|r3) | \($b.server.cpu_cores_busy*100|round) % | \($a.server.cpu_cores_busy*100|round) % |"'
		r=$((r + 1))
	done | tee "$OUT/$s.md"
	for col in 5:throughput 8:CPU; do
		awk -F'|' -v c="${col%%:*}" '{print $c}' "$OUT/$s.md" | sort -n | awk -v what="${col#*:}" '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "median %s ratio %.3f (min %.3f, max %.3f, %d rounds)\n", what, m, v[1], v[NR], NR}'
	done
	echo
done
