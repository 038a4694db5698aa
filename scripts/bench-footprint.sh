#!/bin/sh
# Footprint of BENCHMARKS.md: start-up time to ready and idle RSS, with an
# empty database and with a seeded one.
#   scripts/bench-footprint.sh [USERS] [POSTGRES_URL]   (default 1000000)
# With POSTGRES_URL, a PostgreSQL database already seeded (the growth run's
# gatehouse_bench, for instance) is measured too.
. "$(dirname "$0")/bench-lib.sh"
USERS=${1:-1000000}
PG=${2:-}
build
rm -f "$WORK"/empty.db* "$WORK"/big.db*
"$WORK/gatehouse-bench" seed --database-url "sqlite://$WORK/big.db" --users "$USERS"
for db in "sqlite://$WORK/empty.db" "sqlite://$WORK/big.db" $PG; do
	echo "$db" | sed 's/?.*//'
	GATEHOUSE_DATABASE_URL=$db GATEHOUSE_RATE_LIMITS=off GATEHOUSE_ADMIN_TOKEN=x \
	GATEHOUSE_MASTER_KEY=$MASTER_KEY \
		"$WORK/gatehouse-bench" footprint --server "$WORK/gatehouse" --addr "$ADDR" --idle 5s
done
