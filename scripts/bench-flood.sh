#!/bin/sh
# Memory under a login flood, the server and its hash worker read apart
# (BENCHMARKS.md "The hash worker's memory under the flood"): the build
# before the change (BASE, a git revision) and the work tree in interleaved
# rounds on SQLite, each round measuring its own argon2id bound first:
#   login2  platform sign-ins at 2 clients: CPU per sign-in of the server
#           and its hash worker together (a hash's cost, unchanged or not);
#   flood   sign-ins offered at FLOOD (default 20) × that bound, 2 048
#           connections allowed, 10 s after 2 s of warm-up; the peak RSS
#           (VmHWM, which the load tool resets at the window's start) of
#           the server and of its hash worker, each read before it stops.
# Results go to OUT as r<round>-<variant>-<case>.json for `gatehouse-bench
# rounds`, r<round>-<variant>-split.txt (the two peaks in kB) and
# summary.md, which this script writes at the end. EXTRA names further
# builds to run in every round beside the two, each NAME=BINARY (say a
# variant of the work tree built into WORK).
#   [SERVER_CPUS=1 TOOL_CPUS=0] [EXTRA="m24=/path/gatehouse"] scripts/bench-flood.sh BASE [OUT]
# WORK, ADDR, MANAGEMENT_ADDR and MAIL (bench-lib.sh) keep it apart from
# other runs on the machine.
. "$(dirname "$0")/bench-lib.sh"
BASE=${1:?usage: bench-flood.sh BASE [OUT]}
OUT=${2:-$ROOT/docs/bench/perf5/flood}
export GATEHOUSE_SHUTDOWN_DELAY=0 # each run stops its server at once
ROUNDS=${ROUNDS:-3}
FLOOD=${FLOOD:-20}
USERS=${USERS:-2000}
EXTRA=${EXTRA:-}
mkdir -p "$OUT"
build
build_before "$BASE"
SCPUS=${SERVER_CPUS:-0-$(($(nproc) - 1))}
CORES=$(taskset -c "$SCPUS" nproc)
run() { # run ROUND VARIANT CASE ARGS...: one measured run into OUT
	r=$1 v=$2 c=$3; shift 3
	pin "$TOOL_CPUS" "$WORK/gatehouse-bench" run --quiet --url "$URL" --users "$USERS" --server-pid "$SERVER_PID" \
		--duration 10s --warmup 2s --json "$OUT/r$r-$v-$c.json" "$@" >/dev/null
}
hwm() { # hwm PID: the process's peak RSS in kB
	awk '/^VmHWM:/ {print $2}' "/proc/$1/status"
}
rm -f "$WORK"/flood.db* "$WORK"/flood-run.db*
"$WORK/gatehouse-bench" seed --database-url "sqlite://$WORK/flood.db" --users "$USERS" >/dev/null
trap stop EXIT
for r in $(seq "$ROUNDS"); do
	prio taskset -c "$SCPUS" "$WORK/gatehouse-bench" bound --only argon2id --parallelism "$CORES" --duration 4s \
		>"$OUT/r$r-bound-argon2id.json"
	rate=$(jq -r --argjson f "$FLOOD" '.per_second * $f | ceil' "$OUT/r$r-bound-argon2id.json")
	# every build in turn, the order reversed in even rounds
	order="before after $(for e in $EXTRA; do printf '%s ' "${e%%=*}"; done)"
	if [ $((r % 2)) -eq 0 ]; then order=$(printf '%s\n' $order | tac | tr '\n' ' '); fi
	for v in $order; do
		case $v in
		before) bin=$BEFORE ;;
		after) bin=$AFTER ;;
		*) bin=$(printf '%s\n' $EXTRA | sed -n "s/^$v=//p") ;;
		esac
		rm -f "$WORK"/flood-run.db* && cp "$WORK/flood.db" "$WORK/flood-run.db"
		BIN=$bin start "sqlite://$WORK/flood-run.db"
		run "$r" "$v" login2 --scenario login --concurrency 2
		run "$r" "$v" flood --scenario login --rate "$rate" --concurrency 2048 --by-status
		workers=$(cat /proc/"$SERVER_PID"/task/*/children)
		echo "rate=$rate server=$(hwm "$SERVER_PID") worker=$(for w in $workers; do hwm "$w"; done)" >"$OUT/r$r-$v-split.txt"
		stop
	done
done
{
	echo "# The hash worker's memory under the flood: $BASE (before) against the work tree (after)"
	echo
	echo "uptime at the end: $(uptime)"
	echo
	echo "| round | variant | flood rate | server peak MiB | worker peak MiB | both (load tool) MiB | flood 2xx | CPU ms per login at 2 clients |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|"
	for r in $(seq "$ROUNDS"); do
		for v in before after $(for e in $EXTRA; do printf '%s ' "${e%%=*}"; done); do
			eval "$(sed 's/ /\n/g' "$OUT/r$r-$v-split.txt")"
			jq -r --arg r "$r" --arg v "$v" --arg rate "$rate" --arg s "$server" --arg w "$worker" \
				--slurpfile l "$OUT/r$r-$v-login2.json" \
				'"| \($r) | \($v) | \($rate) | \($s | tonumber / 1024 * 10 | round / 10) | \($w | tonumber / 1024 * 10 | round / 10) | \(.server.peak_rss_mib * 10 | round / 10) | \([.status | to_entries[] | select(.key | startswith("2")) | .value] | add // 0) | \($l[0].server.cpu_ms_per_request * 10 | round / 10) |"' \
				"$OUT/r$r-$v-flood.json"
		done
	done
	echo
	"$WORK/gatehouse-bench" rounds --dir "$OUT" \
		--ratio "peak-both-after÷before=after/flood:rss/before/flood:rss" \
		--ratio "login-cpu-after÷before=after/login2:cpu/before/login2:cpu" \
		--ratio "login-cpu-before=before/login2:cpu" --ratio "login-cpu-after=after/login2:cpu" \
		--ratio "hash-cpu=bound:argon2id:cpu" \
		$(for e in $EXTRA; do n=${e%%=*}; printf -- '--ratio peak-both-%s÷before=%s/flood:rss/before/flood:rss --ratio login-cpu-%s÷before=%s/login2:cpu/before/login2:cpu ' "$n" "$n" "$n" "$n"; done)
} >"$OUT/summary.md"
cat "$OUT/summary.md"
