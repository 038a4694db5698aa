#!/bin/sh
# Issue 13's before/after measurements of BENCHMARKS.md ("Admission, pool,
# isolation"): interleaved rounds in which the build before the change (BASE,
# a git revision) and the build of the work tree run the same cases, one
# after the other, with the bounds measured in every round on the server's
# CPUs. Results go to OUT as r<round>-<variant>-<case>.json, summarised by
# `gatehouse-bench rounds`.
#   SERVER_CPUS=1 TOOL_CPUS=0 PRIORITY=-10 scripts/bench-perf.sh BASE [OUT] [PARTS]
# PARTS: admission (item 1), pool (item 3), status (item 6), isolation
# (item 5); default all. PostgreSQL uses the database gatehouse_perf on
# 127.0.0.1 (dropped and created afresh); set PGURL to use another.
. "$(dirname "$0")/bench-lib.sh"
BASE=${1:?usage: bench-perf.sh BASE [OUT] [PARTS]}
OUT=${2:-$ROOT/docs/bench/perf}
PARTS=${3:-"admission pool status isolation"}
ROUNDS=${ROUNDS:-3}
D=${DURATION:-8s}
USERS=${USERS:-2000}
PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432/gatehouse_perf?sslmode=disable}
mkdir -p "$OUT"
build
build_before "$BASE"
SCPUS=${SERVER_CPUS:-0-$(($(nproc) - 1))}
bench() { pin "$TOOL_CPUS" "$WORK/gatehouse-bench" "$@"; }
run() { # run ROUND VARIANT CASE ARGS...: one measured run into OUT
	r=$1 v=$2 c=$3; shift 3
	bench run --quiet --url "$URL" --users "$USERS" --server-pid "$SERVER_PID" --duration "$D" --warmup 2s \
		--json "$OUT/r$r-$v-$c.json" "$@" >/dev/null
}
serve() { # serve BINARY DATABASE_URL [VAR=VALUE...]: start a server with extra settings
	bin=$1 db=$2; shift 2
	for kv in "$@"; do export "${kv?}"; done
	BIN=$bin start "$db"
	for kv in "$@"; do unset "${kv%%=*}"; done
}
rm -f "$WORK"/perf.db*
"$WORK/gatehouse-bench" seed --database-url "sqlite://$WORK/perf.db" --users "$USERS" >/dev/null
case $PARTS in *pool*)
	dropdb -h 127.0.0.1 -U postgres --if-exists gatehouse_perf
	createdb -h 127.0.0.1 -U postgres gatehouse_perf
	GATEHOUSE_MASTER_KEY=$MASTER_KEY "$WORK/gatehouse-bench" seed --database-url "$PGURL" --users "$USERS" >/dev/null ;;
esac
# hashbound ROUND NAME: argon2id verifications per second on the server's
# CPUs, measured just before the runs compared with it (the machine is
# shared: its load moves within minutes); prints 20 × it, the flood's rate.
hashbound() {
	prio taskset -c "$SCPUS" "$WORK/gatehouse-bench" bound --only argon2id --parallelism 1 --duration 4s >"$OUT/r$1-bound-argon2id_$2.json"
	echo "$(sed 's/.*"per_second":\([0-9.]*\).*/\1/' "$OUT/r$1-bound-argon2id_$2.json") * 20" | bc
}
for r in $(seq "$ROUNDS"); do
	for v in before after; do
		[ $v = before ] && bin=$BEFORE || bin=$AFTER
		case $PARTS in *admission*)
			flood=$(hashbound "$r" "$v")
			serve "$bin" "sqlite://$WORK/perf.db"
			run "$r" "$v" login16 --scenario login --concurrency 16
			run "$r" "$v" flood --scenario login --rate "$flood" --concurrency 2048 --by-status
			stop ;;
		esac
		case $PARTS in *pool*)
			serve "$bin" "$PGURL"
			run "$r" "$v" pg-status16 --scenario status --concurrency 16 --pg-url "$PGURL"
			run "$r" "$v" pg-profile16 --scenario profile --concurrency 16 --pg-url "$PGURL"
			stop ;;
		esac
	done
	case $PARTS in *pool*|*status*)
		serve "$AFTER" "sqlite://$WORK/perf.db"
		run "$r" after sqlite-status16 --scenario status --concurrency 16
		run "$r" after sqlite-profile16 --scenario profile --concurrency 16
		stop ;;
	esac
	case $PARTS in *status*)
		if [ -n "$SERVER_CPUS" ]; then set -- taskset -c "$SERVER_CPUS"; else set --; fi
		if [ -n "$PRIORITY" ]; then set -- nice -n "$PRIORITY" "$@"; fi
		"$@" "$WORK/gatehouse-bench" noop --addr "$ADDR" & SERVER_PID=$! # taskset execs: $! is the server
		until curl -sf "$URL/status" >/dev/null 2>&1; do sleep 0.01; done
		run "$r" noop status16 --scenario status --concurrency 16
		stop ;;
	esac
	case $PARTS in *isolation*)
		for v in ${ISOLATION:-nice0 nice3 nice10}; do # ISOLATION: the variants, e.g. "nice0 nice3"
			hashbound "$r" "$v" >/dev/null
			serve "$AFTER" "sqlite://$WORK/perf.db" GATEHOUSE_HASH_NICE="${v#nice}"
			run "$r" "$v" lone --scenario profile --concurrency 1
			run "$r" "$v" mixed2 --scenario mixed --concurrency 2
			run "$r" "$v" login16 --scenario login --concurrency 16
			for l in 0 8 16 32; do
				run "$r" "$v" "mix$l" --scenario mix --mix "login=$l,profile=300,refresh=30" --concurrency 256
			done
			stop
		done ;;
	esac
done
