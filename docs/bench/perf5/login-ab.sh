#!/bin/sh
# Everything a sign-in costs but the hash, two builds in one run: BenchmarkHandlerLogin (a platform
# and a cashdesk sign-in through the whole handler, SQLite and PostgreSQL, CPU per sign-in by
# getrusage) and BenchmarkCheapHash (the tests' cheap hash, to subtract), from the test binaries of
# internal/server of two source trees, in interleaved rounds: before then after in odd rounds,
# after then before in even ones.
#
#   git archive "$(git merge-base HEAD main)" | (mkdir -p /tmp/before && tar -x -C /tmp/before)
#   GATEHOUSE_TEST_SERVICES=require docs/bench/perf5/login-ab.sh /tmp/before . 4 > docs/bench/perf5/login-inproc-ab.txt
#
# PostgreSQL is GATEHOUSE_TEST_POSTGRES_URL's (each run makes a schema of its own); BENCHTIME is the
# sign-ins per case (300x).
set -eu
before=$(cd "$1" && pwd)
after=$(cd "$2" && pwd)
rounds=${3:-3}
for tree in "$before" "$after"; do
	(cd "$tree" && go test -c -o internal/server/server.test ./internal/server) >&2
done
run() { # name tree
	echo "== $1 $round ($(uptime))"
	(cd "$2/internal/server" && ./server.test -test.run '^$' -test.bench '^Benchmark(HandlerLogin|CheapHash)$' \
		-test.benchtime "${BENCHTIME:-300x}" -test.benchmem | grep '^Benchmark')
}
round=1
while [ "$round" -le "$rounds" ]; do
	if [ $((round % 2)) -eq 1 ]; then
		run before "$before"
		run after "$after"
	else
		run after "$after"
		run before "$before"
	fi
	round=$((round + 1))
done
