#!/bin/sh
# Issue 13, items 2, 4 and 6 (BENCHMARKS.md): the build before the change
# (BASE, a git revision) and the work tree in interleaved rounds, each
# round measuring its own bounds on the server's CPUs:
#   refresh  refresh on PostgreSQL and SQLite against the RS256 signing
#            bound, authenticated reads on PostgreSQL (item 4);
#   status   GET /status of both builds and of a handler that touches
#            nothing (`gatehouse-bench noop`) (item 6);
#   login    platform and cashdesk sign-ins at 2 clients, their server CPU
#            (hash worker included) beside one bare hash's (item 2).
# Results go to OUT as r<round>-<variant>-<case>.json for
# `gatehouse-bench rounds`; scripts/bench-perf2-summary.sh prints them.
#   [SERVER_CPUS=1 TOOL_CPUS=0] scripts/bench-perf2.sh BASE [OUT] [PARTS]
# PostgreSQL uses the database gatehouse_perf2 on 127.0.0.1 (dropped and
# created afresh); set PGURL to use another. WORK, ADDR, MANAGEMENT_ADDR
# and MAIL (bench-lib.sh) keep it apart from other runs on the machine.
. "$(dirname "$0")/bench-lib.sh"
BASE=${1:?usage: bench-perf2.sh BASE [OUT] [PARTS]}
OUT=${2:-$ROOT/docs/bench/perf2}
PARTS=${3:-"refresh status login"}
export GATEHOUSE_SHUTDOWN_DELAY=0 # each run stops its server at once
ROUNDS=${ROUNDS:-3}
D=${DURATION:-8s}
USERS=${USERS:-2000}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432/gatehouse_perf2?sslmode=disable}
mkdir -p "$OUT"
build
build_before "$BASE"
SCPUS=${SERVER_CPUS:-0-$(($(nproc) - 1))}
CORES=$(taskset -c "$SCPUS" nproc)
run() { # run ROUND VARIANT CASE ARGS...: one measured run into OUT
	r=$1 v=$2 c=$3; shift 3
	pin "$TOOL_CPUS" "$WORK/gatehouse-bench" run --quiet --url "$URL" --users "$USERS" --server-pid "$SERVER_PID" \
		--duration "$D" --warmup 2s --json "$OUT/r$r-$v-$c.json" "$@" >/dev/null
}
bound() { # bound ROUND NAME: one bound on the server's CPUs at its parallelism
	prio taskset -c "$SCPUS" "$WORK/gatehouse-bench" bound --only "$2" --parallelism "$CORES" --duration 4s >"$OUT/r$1-bound-$2.json"
}
rm -f "$WORK"/perf2.db* "$WORK"/perf2-run.db*
"$WORK/gatehouse-bench" seed --database-url "sqlite://$WORK/perf2.db" --users "$USERS" >/dev/null
case $PARTS in *refresh*)
	dropdb -h 127.0.0.1 -U postgres --if-exists gatehouse_perf2
	createdb -h 127.0.0.1 -U postgres gatehouse_perf2
	GATEHOUSE_MASTER_KEY=$MASTER_KEY "$WORK/gatehouse-bench" seed --database-url "$PGURL" --users "$USERS" >/dev/null ;;
esac
sqlite() { # a fresh copy of the seeded SQLite database for each server
	rm -f "$WORK"/perf2-run.db* && cp "$WORK/perf2.db" "$WORK/perf2-run.db"
	echo "sqlite://$WORK/perf2-run.db"
}
trap stop EXIT
for r in $(seq "$ROUNDS"); do
	# before, after in odd rounds; after, before in even ones
	if [ $((r % 2)) -eq 1 ]; then order="before after"; else order="after before"; fi
	case $PARTS in *refresh*)
		bound "$r" sign
		for v in $order; do
			[ $v = before ] && bin=$BEFORE || bin=$AFTER
			BIN=$bin start "$PGURL"
			run "$r" "$v" pg-refresh --scenario refresh --concurrency $((2 * CORES))
			run "$r" "$v" pg-profile --scenario profile --concurrency $((2 * CORES))
			stop
			BIN=$bin start "$(sqlite)"
			run "$r" "$v" sqlite-refresh --scenario refresh --concurrency $((2 * CORES))
			stop
		done ;;
	esac
	case $PARTS in *status*)
		for v in $order noop; do
			if [ $v = noop ]; then
				if [ -n "$SERVER_CPUS" ]; then set -- taskset -c "$SERVER_CPUS"; else set --; fi
				"$@" "$WORK/gatehouse-bench" noop --addr "$ADDR" & SERVER_PID=$! # taskset execs: $! is the server
				until curl -sf "$URL/status" >/dev/null 2>&1; do sleep 0.01; done
			else
				[ $v = before ] && bin=$BEFORE || bin=$AFTER
				BIN=$bin start "$(sqlite)"
			fi
			run "$r" "$v" status16 --scenario status --concurrency 16
			stop
		done ;;
	esac
	case $PARTS in *login*)
		bound "$r" argon2id
		for v in $order; do
			[ $v = before ] && bin=$BEFORE || bin=$AFTER
			BIN=$bin start "$(sqlite)"
			run "$r" "$v" login2 --scenario login --concurrency 2
			run "$r" "$v" cashdesk2 --scenario cashdesk-login --concurrency 2
			stop
		done ;;
	esac
done
