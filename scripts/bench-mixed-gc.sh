#!/bin/sh
# BENCHMARKS.md "Issue 13: the closing measurements": a lone read and the
# mixed scenario at 2 clients with the server's collector as it is
# (GOGC=100) and off (GOGC=off, GOMEMLIMIT=400MiB), two interleaved rounds,
# on copies of $WORK/perf.db.
# Run after scripts/bench-perf.sh, which builds $WORK/gatehouse and seeds it.
#   SERVER_CPUS=1 TOOL_CPUS=0 scripts/bench-mixed-gc.sh OUT
. "$(dirname "$0")/bench-lib.sh"
OUT=${1:?usage: OUT}
mkdir -p "$OUT"
export GATEHOUSE_SHUTDOWN_DELAY=0
for r in 1 2; do for v in gc100 gcoff; do
  rm -f "$WORK"/alg-run.db* && cp "$WORK/perf.db" "$WORK/alg-run.db"
  if [ $v = gcoff ]; then export GOGC=off GOMEMLIMIT=400MiB; fi
  start "sqlite://$WORK/alg-run.db"
  # the worker starts with the first hash: one login first
  pin "$TOOL_CPUS" "$WORK/gatehouse-bench" run --quiet --url "$URL" --users 2000 --duration 1s --scenario login --concurrency 1 >/dev/null
  CH=$(cat /proc/$SERVER_PID/task/*/children | tr -s ' \n' ' ')
  unset GOGC GOMEMLIMIT
  for c in $CH; do echo "r$r $v worker $c: $(chrt -p $c | tr '\n' ' ')"; done
  for c in lone mixed2; do
    case $c in lone) a="--scenario profile --concurrency 1";; mixed2) a="--scenario mixed --concurrency 2";; login16) a="--scenario login --concurrency 16";; esac
    pin "$TOOL_CPUS" "$WORK/gatehouse-bench" run --quiet --url "$URL" --users 2000 --server-pid "$SERVER_PID" --duration 8s --warmup 2s --json "$OUT/r$r-$v-$c.json" $a >/dev/null
  done
  stop
done; done
