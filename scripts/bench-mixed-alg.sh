#!/bin/sh
# BENCHMARKS.md "Issue 13: the closing measurements": the mixed scenario at 2
# clients and a lone read, the server signing with RS256 and with ES256 (the
# hash worker at its default nice 3), two interleaved rounds, on copies of
# the seeded database $WORK/perf.db (scripts/bench-perf.sh seeds it).
# Run after scripts/bench-perf.sh, which builds $WORK/gatehouse and seeds it.
#   SERVER_CPUS=1 TOOL_CPUS=0 scripts/bench-mixed-alg.sh OUT
. "$(dirname "$0")/bench-lib.sh"
OUT=${1:?usage: OUT}
mkdir -p "$OUT"
export GATEHOUSE_SHUTDOWN_DELAY=0
for r in 1 2; do for alg in RS256 ES256; do
  rm -f "$WORK"/alg-run.db* && cp "$WORK/perf.db" "$WORK/alg-run.db"
  export GATEHOUSE_SIGNING_ALG=$alg
  start "sqlite://$WORK/alg-run.db"
  unset GATEHOUSE_SIGNING_ALG
  for c in lone mixed2; do
    [ $c = lone ] && a="--scenario profile --concurrency 1" || a="--scenario mixed --concurrency 2"
    pin "$TOOL_CPUS" "$WORK/gatehouse-bench" run --quiet --url "$URL" --users 2000 --server-pid "$SERVER_PID" --duration 8s --warmup 2s --json "$OUT/r$r-$alg-$c.json" $a >/dev/null
  done
  stop
done; done
