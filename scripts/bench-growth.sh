#!/bin/sh
# Growth runs of BENCHMARKS.md: the same scenarios with more and more users
# (and one session each) in the database. The database grows in place:
# each size seeds only the users it adds.
#   scripts/bench-growth.sh sqlite|postgres "10000 100000 1000000"
# PostgreSQL uses the database gatehouse_bench on 127.0.0.1 (dropped and
# created afresh); set PGURL to use another. SERVER_CPUS/TOOL_CPUS pin the
# server and the load tool (bench-lib.sh); CONC is the concurrency (default
# 2 × the server's cores); SCENARIOS the scenarios run at each size.
. "$(dirname "$0")/bench-lib.sh"
BACKEND=${1:-sqlite}
SIZES=${2:-"10000 100000"}
DURATION=${DURATION:-15s}
if [ -n "$SERVER_CPUS" ]; then CONC=${CONC:-$((2 * $(taskset -c "$SERVER_CPUS" nproc)))}; fi
CONC=${CONC:-$((2 * $(nproc)))}
SCENARIOS=${SCENARIOS:-"login refresh profile mixed bank-login cashdesk-login apikey"}
OUT=$WORK/growth-$BACKEND
mkdir -p "$OUT"
build
case $BACKEND in
sqlite)
	rm -f "$WORK"/growth.db*
	DB="sqlite://$WORK/growth.db" ;;
postgres)
	PGURL=${PGURL:-postgres://postgres@127.0.0.1:5432/gatehouse_bench?sslmode=disable}
	dropdb -h 127.0.0.1 -U postgres --if-exists gatehouse_bench
	createdb -h 127.0.0.1 -U postgres gatehouse_bench
	DB=$PGURL ;;
*) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac
have=0
for n in $SIZES; do
	GATEHOUSE_MASTER_KEY=$MASTER_KEY "$WORK/gatehouse-bench" seed --database-url "$DB" \
		--from "$have" --users $((n - have)) --sessions-per-user 1 --jobs 4
	have=$n
	start "$DB"
	echo "$BACKEND $n users: ready in ${READY_MS} ms" | tee -a "$OUT/ready.txt"
	for s in $SCENARIOS; do
		pin "$TOOL_CPUS" "$WORK/gatehouse-bench" run --quiet --url "$URL" --users "$n" --server-pid "$SERVER_PID" \
			--scenario "$s" --concurrency "$CONC" --duration "$DURATION" --warmup 3s --json "$OUT/$s-$n.json"
	done
	stop
done
"$WORK/gatehouse-bench" table "$OUT"/*.json | tee "$OUT/table.md"
