#!/bin/sh
# The reference run of BENCHMARKS.md: RS256 (RSA-2048), default argon2id,
# SQLite with 10 000 seeded users; every figure beside its bound, then the
# sweeps drawn as SVG into docs/bench. About 12 minutes on 2 cores.
#   scripts/bench-reference.sh [OUT_DIR]
# With SERVER_CPUS=1 TOOL_CPUS=0 the server runs on CPU 1, the load tool on
# CPU 0, and the bounds are measured on CPU 1 (the server's limit), the
# concurrency "2 × cores" being 2 × the server's cores.
. "$(dirname "$0")/bench-lib.sh"
OUT=${1:-$ROOT/docs/bench}
build
rm -f "$WORK"/ref.db*
"$WORK/gatehouse-bench" seed --database-url "sqlite://$WORK/ref.db" --users 10000
start "sqlite://$WORK/ref.db"
trap stop EXIT
EXTRA="" LAYOUT=""
if [ -n "$SERVER_CPUS" ]; then
	EXTRA="--bound-cpus $SERVER_CPUS --server-cores $(taskset -c "$SERVER_CPUS" nproc)"
	LAYOUT="server on CPU $SERVER_CPUS, load tool on CPU ${TOOL_CPUS:-any}, bounds measured on CPU $SERVER_CPUS"
fi
# shellcheck disable=SC2086
pin "$TOOL_CPUS" "$WORK/gatehouse-bench" reference $EXTRA --layout "$LAYOUT" --url "$URL" --users 10000 --server-pid "$SERVER_PID" --mail-sink "$MAIL" \
	--scenarios status,profile,login,refresh,mixed,register,bank-login,cashdesk-login,apikey --sweeps login,refresh,profile \
	--levels 1,2,4,8,16,32 --rounds 3 --duration 10s --warmup 2s --out "$OUT"
