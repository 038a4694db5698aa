#!/bin/sh
# The figures of login-ab.sh's output (argument 1): per case, CPU per sign-in besides the hash
# (cpu-ns/op minus BenchmarkCheapHash's of the same run) of each build in every round, their
# medians, before ÷ after by round and its median, and the allocations.
#
#   docs/bench/perf5/login-ab-summary.sh docs/bench/perf5/login-inproc-ab.txt
set -eu
awk '
function median(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
/^== / { build = $2; round = $3; if (round > rounds) rounds = round; next }
/^Benchmark/ {
	name = $1; sub(/^Benchmark/, "", name); sub(/-[0-9]+$/, "", name)
	for (i = 2; i <= NF; i++) { if ($(i + 1) == "cpu-ns/op") cpu = $i; if ($(i + 1) == "allocs/op") allocs = $i }
	if (name == "CheapHash") { hash[build, round] = cpu; next }
	if (!(name in seen)) { seen[name] = 1; order[++cases] = name }
	c[name, build, round] = cpu; al[name, build] = al[name, build] " " allocs
}
END {
	for (k = 1; k <= cases; k++) {
		n = order[k]; b = ""; a = ""; r = ""
		for (i = 1; i <= rounds; i++) {
			x = (c[n, "before", i] - hash["before", i]) / 1e6; y = (c[n, "after", i] - hash["after", i]) / 1e6
			b = b sprintf(" %.2f", x); a = a sprintf(" %.2f", y); r = r sprintf(" %.2f", x / y)
		}
		printf "%s\n  before ms, median %.2f:%s\n  after ms,  median %.2f:%s\n  before / after, median %.2f:%s\n", n, median(b), b, median(a), a, median(r), r
		printf "  allocs before: %s, median %d; after: %s, median %d\n", al[n, "before"], median(al[n, "before"]), al[n, "after"], median(al[n, "after"])
	}
}' "$1"
