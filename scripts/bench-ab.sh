#!/bin/sh
# Before/after of two builds in one run (BENCHMARKS.md, "Metrics and
# request ids"): the work tree (after) and git revision BEFORE are built,
# then each scenario runs on each build in interleaved rounds (A B, then
# B A, …) on fresh copies of one seeded SQLite database, while a scraper
# reads /metrics every 5 s as Prometheus would. Prints each round's
# throughput and CPU per request, the ratio after/before of each round, and
# the median ratio with its spread.
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

for s in $SCENARIOS; do
	echo "## $s (concurrency $CONC, $DURATION per run)"
	echo "| round | before req/s | after req/s | after/before | before CPU ms/req | after CPU ms/req |"
	echo "|---|---|---|---|---|---|"
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		jq -rn --slurpfile b "$OUT/$s-before-$r.json" --slurpfile a "$OUT/$s-after-$r.json" --arg r "$r" \
			'"| \($r) | \($b[0].throughput_rps|floor) | \($a[0].throughput_rps|floor) | \(($a[0].throughput_rps/$b[0].throughput_rps*1000|round)/1000) | \(($b[0].server.cpu_ms_per_request*1000|round)/1000) | \(($a[0].server.cpu_ms_per_request*1000|round)/1000) |"'
		r=$((r + 1))
	done | tee "$OUT/$s.md"
	awk -F'|' '{print $5}' "$OUT/$s.md" | sort -n | awk '{v[NR]=$1} END {m = NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2; printf "median after/before %.3f (min %.3f, max %.3f, %d rounds)\n\n", m, v[1], v[NR], NR}'
done
