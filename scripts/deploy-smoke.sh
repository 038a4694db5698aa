#!/bin/bash
# The topology of deploy/compose.yaml without Docker: two release binaries on
# loopback ports sharing one PostgreSQL database, Redis and master key, behind
# nginx running deploy/nginx.conf with only the node addresses, the listen
# address and Docker's resolver replaced (Debian's nginx 1.22 has no
# "resolve" for upstream servers). Needs nginx (apt-get install nginx-light),
# PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 6379.
#   scripts/release.sh linux/amd64 && scripts/deploy-smoke.sh
# Exits non-zero at the first check that fails.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$REPO/dist/gatehouse-linux-amd64}
WORK=$(mktemp -d)
DB=gatehouse_deploy_smoke
LB=http://127.0.0.1:18180
N1=http://127.0.0.1:18181
N2=http://127.0.0.1:18182
M1=http://127.0.0.1:18191 # the nodes' management listeners (/readyz, /metrics)
M2=http://127.0.0.1:18192
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	[ -f "$WORK/nginx.pid" ] && nginx -p "$WORK" -c "$WORK/nginx.conf" -e stderr -s stop 2>/dev/null || true
	wait 2>/dev/null || true
	dropdb -h 127.0.0.1 -U postgres --if-exists $DB
	rm -rf "$WORK"
}
trap cleanup EXIT
fail() { echo "deploy-smoke: FAIL: $*" >&2; exit 1; }
json() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

dropdb -h 127.0.0.1 -U postgres --if-exists $DB && createdb -h 127.0.0.1 -U postgres $DB
export GATEHOUSE_DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB?sslmode=disable"
export GATEHOUSE_REDIS_URL=redis://127.0.0.1:6379/0 GATEHOUSE_REDIS_PREFIX="deploy-smoke-$$:"
GATEHOUSE_MASTER_KEY=$(head -c32 /dev/urandom | base64)
export GATEHOUSE_MASTER_KEY GATEHOUSE_PUBLIC_URL=$LB GATEHOUSE_TRUSTED_PROXIES=127.0.0.1/32
export GATEHOUSE_ADMIN_TOKEN=deploy-smoke-admin-token-$$ GATEHOUSE_LOG_FORMAT=json

sed -e 's#gatehouse-1:8080 resolve#127.0.0.1:18181#' -e 's#gatehouse-2:8080 resolve#127.0.0.1:18182#' \
	-e '/resolver 127.0.0.11/d' -e 's#listen 8080;#listen 127.0.0.1:18180;#' \
	-e "s#pid /tmp/nginx.pid;#pid $WORK/nginx.pid;#" -e 's#access_log /dev/stdout gatehouse;#access_log off;#' \
	"$REPO/deploy/nginx.conf" >"$WORK/nginx.conf"
nginx -t -q -p "$WORK" -c "$WORK/nginx.conf" -e stderr

"$BIN" migrate >/dev/null
GATEHOUSE_ADDR=127.0.0.1:18181 GATEHOUSE_MANAGEMENT_ADDR=127.0.0.1:18191 "$BIN" serve >"$WORK/node1.log" 2>&1 & pids+=($!)
GATEHOUSE_ADDR=127.0.0.1:18182 GATEHOUSE_MANAGEMENT_ADDR=127.0.0.1:18192 "$BIN" serve >"$WORK/node2.log" 2>&1 & pids+=($!)
nginx -p "$WORK" -c "$WORK/nginx.conf" -e stderr -g 'daemon on;'
for _ in $(seq 1 100); do
	"$BIN" healthcheck $M1/readyz >/dev/null 2>&1 && "$BIN" healthcheck $M2/readyz >/dev/null 2>&1 && break
	sleep 0.2
done
"$BIN" healthcheck $M1/readyz && "$BIN" healthcheck $M2/readyz && "$BIN" healthcheck $LB/status
for node in $M1 $M2; do
	[[ "$(curl -sf $node/readyz)" == *'"redis":"ok"'* ]] || fail "$node/readyz does not count Redis"
done
[ "$(curl -s -o /dev/null -w '%{http_code}' $LB/metrics)" = 404 ] || fail "/metrics answers on the public listener"
"$BIN" user create --email smoke@example.com --password 'correct horse 1' --confirmed >/dev/null

for _ in 1 2 3 4; do
	[ "$(curl -s -o /dev/null -w '%{http_code}' $LB/status)" = 200 ] || fail "/status through the balancer"
done
pair=$(curl -sf -XPOST $LB/v1/auth/login -H 'Content-Type: application/json' -H 'X-Forwarded-For: 203.0.113.9' \
	-d '{"username":"smoke@example.com","password":"correct horse 1"}') || fail "login through the balancer"
access=$(echo "$pair" | json access_token)
refresh=$(echo "$pair" | json refresh_token)
iss=$(echo "$access" | cut -d. -f2 | python3 -c 'import base64,json,sys; s=sys.stdin.read().strip(); print(json.loads(base64.urlsafe_b64decode(s+"="*(-len(s)%4)))["iss"])')
[ "$iss" = "$LB" ] || fail "token issuer $iss, want the balancer's URL $LB"
echo "deploy-smoke: login through the balancer; iss = $iss"

for node in $N1 $N2; do
	[ "$(curl -s -o /dev/null -w '%{http_code}' $node/v1/user/profile -H "Authorization: Bearer $access")" = 200 ] ||
		fail "the access token is refused by $node"
done
for node in $N1 $N2 $N1 $N2; do
	refresh=$(curl -sf -XPOST $node/v1/auth/refresh -H 'Content-Type: application/json' -d "{\"token\":\"$refresh\"}" | json refresh_token) ||
		fail "refresh on $node of a token from the other node"
done
echo "deploy-smoke: a token from either node is accepted and refreshed by the other"

# /openapi.yaml, not /status: a healthy /status is logged at debug only.
id=$(curl -s -o /dev/null -D - $LB/openapi.yaml | tr -d '\r' | awk 'tolower($1) == "x-request-id:" {print $2}')
[ -n "$id" ] && grep -q "\"request_id\":\"$id\"" "$WORK"/node*.log || fail "the balancer's request id $id is in no node's log"
metrics=$(curl -s $M1/metrics $M2/metrics) # whole, not piped into grep -q (pipefail: curl would die of SIGPIPE)
grep -q '^gatehouse_logins_total{door="platform",outcome="succeeded"} 1$' <<<"$metrics" ||
	fail "the login is not counted in /metrics"
echo "deploy-smoke: the request id $id is in the log; /metrics counts the login"

ip=$("$BIN" audit -o json --user smoke@example.com --type login. | python3 -c 'import json,sys; print(json.load(sys.stdin)["events"][0]["ip"])')
[ "$ip" = 127.0.0.1 ] || fail "audit address $ip: the client's own X-Forwarded-For was believed"
echo "deploy-smoke: the balancer replaced the client's X-Forwarded-For (audit ip $ip)"

kill -TERM "${pids[0]}"
wait "${pids[0]}" || true
for _ in 1 2 3 4; do
	[ "$(curl -s -o /dev/null -w '%{http_code}' $LB/v1/user/profile -H "Authorization: Bearer $access")" = 200 ] ||
		fail "with node 1 stopped, the balancer did not answer from node 2"
done
echo "deploy-smoke: node 1 stopped, every request answered by node 2"
echo "deploy-smoke: ok"
