#!/bin/sh
# flood RSS split: server vs hash worker, for one build ($1), at RATE ($2)
set -u
BIN=$1 RATE=$2 TAG=$3
cd /tmp/perfw
rm -f flood.db*; cp bench/perf.db flood.db 2>/dev/null || true
GATEHOUSE_DATABASE_URL=sqlite:///tmp/perfw/flood.db GATEHOUSE_ADDR=127.0.0.1:18395 GATEHOUSE_MANAGEMENT_ADDR=127.0.0.1:18396 \
GATEHOUSE_RATE_LIMITS=off GATEHOUSE_ADMIN_TOKEN=x GATEHOUSE_SHUTDOWN_DELAY=0 GATEHOUSE_MASTER_KEY=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY= \
GATEHOUSE_SMTP_URL=smtp://127.0.0.1:2599 "$BIN" serve > flood-server.log 2>&1 &
PID=$!
until curl -sf 127.0.0.1:18395/status >/dev/null; do sleep 0.1; done
./bench/gatehouse-bench run --quiet --url http://127.0.0.1:18395 --users 2000 --server-pid $PID --duration 10s --warmup 2s --scenario login --concurrency 2 --json "login2-$TAG.json" >/dev/null 2>&1
./bench/gatehouse-bench run --quiet --url http://127.0.0.1:18395 --users 2000 --server-pid $PID --duration 10s --warmup 2s \
  --scenario login --rate "$RATE" --concurrency 2048 --by-status --json "flood-$TAG.json" >/dev/null 2>&1
CH=$(cat /proc/$PID/task/*/children 2>/dev/null | tr -s ' \n' ' ')
echo "$TAG server $(grep VmHWM /proc/$PID/status) children:$CH"
for c in $CH; do echo "$TAG worker $c $(grep VmHWM /proc/$c/status)"; done
jq -c "{st:.status, rss:.server.peak_rss_mib}" "flood-$TAG.json"; jq -c "{login2:.requests, cpu:.server.cpu_ms_per_request, own:.server.own_cpu_ms_per_request, rss:.server.peak_rss_mib}" "login2-$TAG.json"
kill $PID; wait $PID 2>/dev/null
