#!/bin/sh
# The ratios of BENCHMARKS.md's issue 13 section from a bench-perf.sh run:
#   scripts/bench-perf-summary.sh [DIR]   (default docs/bench/perf)
# Each ratio is taken within a round and the median of the rounds given,
# every round's beside it (gatehouse-bench rounds).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DIR=${1:-$ROOT/docs/bench/perf}
G=${G:-go run "$ROOT/cmd/gatehouse-bench"}
has() { [ -e "$DIR/r1-$1.json" ]; } # has VARIANT-CASE: the run made that part
if has before-login16; then
echo "### Admission (16 clients closed loop; a flood at 20 × the hash bound, open loop)"
$G rounds --dir "$DIR" \
	--ratio "before: logins at 16 clients / hash bound=before/login16:s200/bound:argon2id_before" \
	--ratio "after: logins at 16 clients / hash bound=after/login16:s200/bound:argon2id_after" \
	--ratio "after: CPU of a hash (bound) / server CPU per login at 16=bound:argon2id_after:cpu/after/login16:cpu" \
	--ratio "before: 503 a second at 16 clients=before/login16:s503" \
	--ratio "after: 503 a second at 16 clients=after/login16:s503" \
	--ratio "before: login p99 at 16 clients / 2 s=before/login16:p99/2000" \
	--ratio "after: login p99 at 16 clients / 2 s=after/login16:p99/2000" \
	--ratio "before: flood, logins admitted / hash bound=before/flood:s200/bound:argon2id_before" \
	--ratio "after: flood, logins admitted / hash bound=after/flood:s200/bound:argon2id_after" \
	--ratio "before: flood, 503 p99 / 50 ms=before/flood:login 503.p99/50" \
	--ratio "after: flood, 503 p99 / 50 ms=after/flood:login 503.p99/50" \
	--ratio "before: flood, admitted p99 / 2 s=before/flood:login 200.p99/2000" \
	--ratio "after: flood, admitted p99 / 2 s=after/flood:login 200.p99/2000" \
	--ratio "before: flood, peak RSS MiB / (19 × workers + 100)=before/flood:rss/119" \
	--ratio "after: flood, peak RSS MiB / (19 × workers + 100)=after/flood:rss/119"
echo
fi
if has before-pg-profile16; then
echo "### PostgreSQL pool and /status (16 clients, closed loop)"
$G rounds --dir "$DIR" \
	--ratio "before: new PostgreSQL connections, reads=before/pg-profile16:pgconn" \
	--ratio "after: new PostgreSQL connections, reads=after/pg-profile16:pgconn" \
	--ratio "before: new PostgreSQL connections, status=before/pg-status16:pgconn" \
	--ratio "after: new PostgreSQL connections, status=after/pg-status16:pgconn" \
	--ratio "before: read p99 PostgreSQL / SQLite=before/pg-profile16:p99/after/sqlite-profile16:p99" \
	--ratio "after: read p99 PostgreSQL / SQLite=after/pg-profile16:p99/after/sqlite-profile16:p99" \
	--ratio "before: status p99 PostgreSQL / SQLite=before/pg-status16:p99/after/sqlite-status16:p99" \
	--ratio "after: status p99 PostgreSQL / SQLite=after/pg-status16:p99/after/sqlite-status16:p99" \
	--ratio "before: reads a second PostgreSQL / SQLite=before/pg-profile16:rps/after/sqlite-profile16:rps" \
	--ratio "after: reads a second PostgreSQL / SQLite=after/pg-profile16:rps/after/sqlite-profile16:rps" \
	--ratio "status a second / noop handler=after/sqlite-status16:rps/noop/status16:rps" \
	--ratio "noop server CPU / status server CPU per request=noop/status16:cpu/after/sqlite-status16:cpu"
echo
fi
echo "### Latency isolation: argon2id in the server process (nice0) or in a hash worker 3 or 10 nicer (nice3, nice10)"
for v in nice0 nice3 nice10; do
	[ -e "$DIR/r1-$v-login16.json" ] || continue
	$G rounds --dir "$DIR" \
		--ratio "$v: lone read median (ms)=$v/lone:p50" \
		--ratio "$v: mixed c2, read p99 / lone read median=$v/mixed2:profile.p99/$v/lone:p50" \
		--ratio "$v: mixed c2, refresh p99 / refresh median without logins=$v/mixed2:refresh.p99/$v/mix0:refresh.p50" \
		--ratio "$v: mixed c2, logins a second=$v/mixed2:login.rps" \
		--ratio "$v: logins at 16 clients / hash bound=$v/login16:rps/bound:argon2id_$v" \
		--ratio "$v: server CPU per login (ms)=$v/login16:cpu" \
		--ratio "$v: CPU of a hash (bound) / server CPU per login=bound:argon2id_$v:cpu/$v/login16:cpu" |
		tail -n +3
	for l in 0 8 16 32; do
		$G rounds --dir "$DIR" \
			--ratio "$v: $l logins/s, read p99 / lone read median=$v/mix$l:profile.p99/$v/lone:p50" \
			--ratio "$v: $l logins/s, refresh p99 / refresh median at 0 logins/s=$v/mix$l:refresh.p99/$v/mix0:refresh.p50" |
			tail -n +3
	done
	[ $v = nice0 ] || continue
	for n in nice3 nice10; do
		[ -e "$DIR/r1-$n-login16.json" ] || continue
		$G rounds --dir "$DIR" --ratio "logins at 16 clients, $n / nice0=$n/login16:rps/nice0/login16:rps" | tail -n +3
		for l in 8 16 32; do
			$G rounds --dir "$DIR" --ratio "$l logins/s: logins served, $n / nice0=$n/mix$l:login.rps/nice0/mix$l:login.rps" | tail -n +3
		done
	done
done
