#!/bin/sh
# BENCHMARKS.md "Issue 13: the closing measurements": what the reads' p99 in
# the mixed scenario is not. Two interleaved rounds of two variants of the
# built server, each on a fresh copy of the seeded $WORK/perf.db, measuring
# a lone read and the mixed scenario at 2 clients (and, for idle, 16
# sign-in clients):
#   alg   the server signing with RS256 against ES256;
#   idle  the hash worker at its default nice 3 against every thread of it
#         moved to SCHED_IDLE (chrt -a -i), which the kernel preempts at
#         once for any other task;
#   gc    the server's collector as it is against off (GOGC=off,
#         GOMEMLIMIT=400MiB);
#   pin   the hash worker on the server's CPUs against moved to the load
#         tool's (TOOL_CPUS), off the server's core;
#   procs the server's GOMAXPROCS as the runtime sets it (1 on one CPU)
#         against 2 on the same CPU, so the kernel time-slices its threads.
# Run after scripts/bench-perf.sh, which builds $WORK/gatehouse and seeds
# $WORK/perf.db.
#   SERVER_CPUS=1 TOOL_CPUS=0 scripts/bench-mixed-variants.sh alg|idle|gc|pin|procs OUT
. "$(dirname "$0")/bench-lib.sh"
WHAT=${1:?usage: bench-mixed-variants.sh alg|idle|gc|pin|procs OUT}
OUT=${2:?usage: bench-mixed-variants.sh alg|idle|gc|pin|procs OUT}
mkdir -p "$OUT"
export GATEHOUSE_SHUTDOWN_DELAY=0
case $WHAT in
alg) VARIANTS="RS256 ES256" CASES="lone mixed2" ;;
idle) VARIANTS="nice3 idle" CASES="lone mixed2 login16" ;;
gc) VARIANTS="gc100 gcoff" CASES="lone mixed2" ;;
pin) VARIANTS="same other" CASES="lone mixed2" ;;
procs) VARIANTS="p1 p2" CASES="lone mixed2" ;;
*) echo "bench-mixed-variants.sh: alg, idle, gc, pin or procs, not $WHAT" >&2; exit 2 ;;
esac
for r in 1 2; do for v in $VARIANTS; do
	rm -f "$WORK"/variant-run.db* && cp "$WORK/perf.db" "$WORK/variant-run.db"
	case $v in RS256 | ES256) export GATEHOUSE_SIGNING_ALG=$v ;; gcoff) export GOGC=off GOMEMLIMIT=400MiB ;; p2) export GOMAXPROCS=2 ;; esac
	start "sqlite://$WORK/variant-run.db"
	unset GATEHOUSE_SIGNING_ALG GOGC GOMEMLIMIT GOMAXPROCS
	if [ "$v" = idle ] || [ "$v" = other ]; then
		# the worker starts with the first hash: one sign-in first
		pin "$TOOL_CPUS" "$WORK/gatehouse-bench" run --quiet --url "$URL" --users 2000 --duration 1s --scenario login --concurrency 1 >/dev/null
		for c in $(cat /proc/"$SERVER_PID"/task/*/children); do
			if [ "$v" = idle ]; then chrt -a -i -p 0 "$c"; else taskset -a -p -c "${TOOL_CPUS:?pin needs TOOL_CPUS}" "$c" >/dev/null; fi
		done
	fi
	for c in $CASES; do
		case $c in
		lone) a="--scenario profile --concurrency 1" ;;
		mixed2) a="--scenario mixed --concurrency 2" ;;
		login16) a="--scenario login --concurrency 16" ;;
		esac
		# shellcheck disable=SC2086 # a holds several arguments
		pin "$TOOL_CPUS" "$WORK/gatehouse-bench" run --quiet --url "$URL" --users 2000 --server-pid "$SERVER_PID" \
			--duration 8s --warmup 2s --json "$OUT/r$r-$v-$c.json" $a >/dev/null
	done
	stop
done; done
