#!/bin/sh
# Shared by the bench-*.sh scripts: build the binaries, start and stop a
# server under test. Source it; do not run it.
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=${WORK:-/tmp/gatehouse-bench}
ADDR=${ADDR:-127.0.0.1:18080}
URL=http://$ADDR
# The management listener (/healthz, /readyz, /metrics) of the server under
# test; builds without one ignore the variable.
MANAGEMENT_ADDR=${MANAGEMENT_ADDR:-127.0.0.1:18081}
MAIL=${MAIL:-127.0.0.1:2525}
# A fixed master key (base64 of 32 bytes) so that PostgreSQL runs need no
# setup; benchmark databases hold no real secrets.
MASTER_KEY=${GATEHOUSE_MASTER_KEY:-MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=}
mkdir -p "$WORK"
# SERVER_CPUS and TOOL_CPUS (taskset lists, e.g. 1 and 0) pin the server and
# the load tool to CPUs of their own; unset, both share every CPU.
SERVER_CPUS=${SERVER_CPUS:-}
TOOL_CPUS=${TOOL_CPUS:-}
# PRIORITY (a nice value, e.g. -10, as root) runs the server, the tool and
# the bounds ahead of whatever else the machine runs, so that a shared
# machine's other work disturbs the measurements less; unset, they run at
# the default priority.
PRIORITY=${PRIORITY:-}
prio() { # prio COMMAND...: runs COMMAND at PRIORITY
	if [ -n "$PRIORITY" ]; then nice -n "$PRIORITY" "$@"; else "$@"; fi
}
pin() { # pin CPUS COMMAND...: runs COMMAND on CPUS, or unpinned when CPUS is empty
	cpus=$1; shift
	if [ -n "$cpus" ]; then prio taskset -c "$cpus" "$@"; else prio "$@"; fi
}

build() {
	(cd "$ROOT" && go build -o "$WORK/gatehouse" ./cmd/gatehouse && go build -o "$WORK/gatehouse-bench" ./cmd/gatehouse-bench)
}

# build_before REV: builds the server of git revision REV into
# $WORK/before and sets BEFORE to it and AFTER to the work tree's (build).
build_before() {
	rm -rf "$WORK/before" && mkdir -p "$WORK/before/src"
	git -C "$ROOT" archive "$1" | tar -x -C "$WORK/before/src"
	(cd "$WORK/before/src" && go build -o "$WORK/before/gatehouse" ./cmd/gatehouse)
	BEFORE=$WORK/before/gatehouse AFTER=$WORK/gatehouse
}

# start DATABASE_URL: runs the server (BIN, default the one built) in the
# background, sets SERVER_PID, waits until GET /status answers 200 and sets
# READY_MS. Settings exported before the call reach the server.
start() {
	if curl -sf "$URL/status" >/dev/null 2>&1; then
		echo "something already listens on $ADDR" >&2
		exit 1
	fi
	db=$1
	# taskset execs the server, so $! is the server's own pid (for
	# --server-pid's CPU and RSS readings and for stop).
	if [ -n "$SERVER_CPUS" ]; then set -- taskset -c "$SERVER_CPUS"; else set --; fi
	if [ -n "$PRIORITY" ]; then set -- nice -n "$PRIORITY" "$@"; fi # nice execs too
	t0=$(date +%s%N)
	GATEHOUSE_DATABASE_URL=$db GATEHOUSE_ADDR=$ADDR GATEHOUSE_MANAGEMENT_ADDR=$MANAGEMENT_ADDR GATEHOUSE_PUBLIC_URL=$URL \
	GATEHOUSE_RATE_LIMITS=off GATEHOUSE_ADMIN_TOKEN=bench-admin-token \
	GATEHOUSE_SMTP_URL=smtp://$MAIL GATEHOUSE_MASTER_KEY=$MASTER_KEY \
		"$@" "${BIN:-$WORK/gatehouse}" serve >"$WORK/server.log" 2>&1 &
	SERVER_PID=$!
	for _ in $(seq 3000); do
		if curl -sf "$URL/status" >/dev/null 2>&1; then
			READY_MS=$(( ($(date +%s%N) - t0) / 1000000 ))
			return 0
		fi
		sleep 0.01
	done
	echo "server did not become ready; see $WORK/server.log" >&2
	exit 1
}

stop() {
	kill "$SERVER_PID" 2>/dev/null || true
	wait "$SERVER_PID" 2>/dev/null || true
}
