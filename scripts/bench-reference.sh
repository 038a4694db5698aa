#!/bin/sh
# The reference run of BENCHMARKS.md: RS256 (RSA-2048), default argon2id,
# SQLite with 10 000 seeded users; every figure beside its bound, then the
# sweeps drawn as SVG into docs/bench. About 12 minutes on 2 cores.
#   scripts/bench-reference.sh [OUT_DIR]
. "$(dirname "$0")/bench-lib.sh"
OUT=${1:-$ROOT/docs/bench}
build
rm -f "$WORK"/ref.db*
"$WORK/gatehouse-bench" seed --database-url "sqlite://$WORK/ref.db" --users 10000
start "sqlite://$WORK/ref.db"
trap stop EXIT
"$WORK/gatehouse-bench" reference --url "$URL" --users 10000 --server-pid "$SERVER_PID" --mail-sink "$MAIL" \
	--scenarios status,profile,login,refresh,mixed,register,bank-login,cashdesk-login,apikey --sweeps login,refresh,profile \
	--levels 1,2,4,8,16,32 --rounds 3 --duration 10s --warmup 2s --out "$OUT"
