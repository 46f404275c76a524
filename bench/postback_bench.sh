#!/usr/bin/env bash
# postback_bench.sh - conversions in, postbacks out (issue 4's figures), in ONE run:
#   A. S2S intake: how many POST /api/v1/conversions per second `clicktrail serve` accepts
#      (wrk, closed loop, -c CONNS), next to how many tracking-link redirects/s the same server
#      answers in the same run (the ratio says what a conversion costs against a click);
#   B. delivery latency from commit at a fixed rate (default 1 000 conversions/s for 10 s) to a
#      healthy receiver (nginx answering 204): each outbox row's delivered_at - created_at
#      (created_at is set by the tracker's commit, delivered_at when the 2xx came back), p50/p90
#      /p99/max read from the store after the run; and every accepted conversion must be
#      committed and delivered exactly once (0 lost).
#
# usage: bench/postback_bench.sh [options] BIN
#   -r RATE      conversions per second in part B (default 1000)
#   -d SECS      duration of each part (default 10)
#   -c CONNS     wrk connections in part A (default 32)
#   -p PORT      base loopback port (default 18190; nginx receiver PORT, clicktrail PORT+1)
#   -B           part B only
#   -h           help
# Every process is started by this script on 127.0.0.1 and stopped by PID on exit.
set -euo pipefail

RATE=1000 DUR=10 CONNS=32 PORT=18190 ONLYB=0
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while getopts "r:d:c:p:Bh" o; do
  case $o in
    r) RATE=$OPTARG ;; d) DUR=$OPTARG ;; c) CONNS=$OPTARG ;; p) PORT=$OPTARG ;; B) ONLYB=1 ;;
    h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { usage >&2; exit 2; }
BIN=$(readlink -f "$1")
[ -x "$BIN" ] || { echo "not an executable: $1" >&2; exit 2; }
for v in "$RATE" "$DUR" "$CONNS" "$PORT"; do
  case $v in ''|*[!0-9]*) echo "bad number: $v" >&2; exit 2 ;; esac
done
command -v wrk >/dev/null && command -v sqlite3 >/dev/null && { command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; } ||
  { echo "needs wrk, nginx and sqlite3 (apt-get install wrk nginx-light sqlite3)" >&2; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
NPORT=$PORT CPORT=$((PORT + 1))

WORK=$(mktemp -d /tmp/postback_bench.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the receiver: nginx answering 204 -----------------------------------------------------
mkdir -p "$WORK/nginx/logs" "$WORK/nginx/tmp"
cat >"$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx/tmp; proxy_temp_path $WORK/nginx/tmp;
  fastcgi_temp_path $WORK/nginx/tmp; uwsgi_temp_path $WORK/nginx/tmp; scgi_temp_path $WORK/nginx/tmp;
  server { listen 127.0.0.1:$NPORT; location / { return 204; } }
}
CONF
"$NGINX" -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" -e "$WORK/nginx/logs/error.log" &
PIDS+=($!)

# ---- clicktrail ------------------------------------------------------------------------------
DATA=$WORK/data
KEY=$("$BIN" account create bench --data "$DATA")
"$BIN" serve --data "$DATA" --listen "127.0.0.1:$CPORT" --set api.rate_per_second=0 \
  --set postbacks.allow_addresses=127.0.0.1 --set postbacks.allowed_ports='*' \
  >"$WORK/serve.log" 2>&1 &
SPID=$!
PIDS+=($SPID)
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$CPORT/readyz" 2>/dev/null && break
  sleep 0.1
done
api() {  # api METHOD PATH [BODY]
  curl -fsS -X "$1" "http://127.0.0.1:$CPORT$2" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' ${3:+-d "$3"}
}
GOAL=$(api POST /api/v1/goals '{"name":"sale","value":1,"currency":"USD"}' | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
api POST /api/v1/postbacks "{\"name\":\"net\",\"method\":\"GET\",\"events\":[\"conversion\"],\"attributed_only\":false,\"url\":\"http://127.0.0.1:$NPORT/pb?oid={order_id}&v={value}\"}" >/dev/null
api POST /api/v1/links '{"destination":"https://example.com/landing","slug":"abc123"}' >/dev/null
[ -n "$GOAL" ] || { echo "goal creation failed" >&2; cat "$WORK/serve.log" >&2; exit 1; }

# wrk scripts: a POST with a unique order id per request; part B paces each connection.
cat >"$WORK/convert.lua" <<LUA
local n = 0
local tid = math.random(1, 1e9)
wrk.method = "POST"
wrk.headers["Authorization"] = "Bearer $KEY"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  return wrk.format(nil, "/api/v1/conversions",
    nil, '{"goal": $GOAL, "order_id": "' .. tid .. '-' .. n .. '", "value": "1.5"}')
end
LUA
run_wrk() {  # run_wrk CONNS SCRIPT URL -> prints "requests non2xx rps"
  local out
  out=$(wrk -t1 -c"$1" -d"${DUR}s" ${2:+-s "$2"} "$3" 2>&1)
  echo "$out" >>"$WORK/wrk.log"
  echo "$(awk '/requests in/{print $1}' <<<"$out") $(awk '/Non-2xx/{n = $NF} END {print n + 0}' <<<"$out") $(awk '/^Requests\/sec:/{print $2}' <<<"$out")"
}
wait_committed() {  # wait_committed N: until the goal has N conversions (bounded 120 s)
  local got=0
  for _ in $(seq 1 1200); do
    got=$(sqlite3 "file:$DATA/clicktrail.db?mode=ro" "SELECT COUNT(*) FROM conversions WHERE status = 0" 2>/dev/null || echo 0)
    [ "$got" -ge "$1" ] && break
    sleep 0.1
  done
  echo "$got"
}
wait_delivered() {  # until no delivery is pending (bounded 120 s)
  for _ in $(seq 1 1200); do
    [ "$(sqlite3 "file:$DATA/clicktrail.db?mode=ro" "SELECT COUNT(*) FROM outbox WHERE state = 0" 2>/dev/null || echo 1)" = 0 ] && return 0
    sleep 0.1
  done
  return 1
}

BEFORE=0
if [ $ONLYB -eq 0 ]; then
echo "# part A: S2S intake vs redirects, wrk -t1 -c$CONNS -d${DUR}s"
read -r RREQ RBAD RRPS <<<"$(run_wrk "$CONNS" "" "http://127.0.0.1:$CPORT/abc123")"
read -r AREQ ABAD ARPS <<<"$(run_wrk "$CONNS" "$WORK/convert.lua" "http://127.0.0.1:$CPORT/")"
ABAD=${ABAD:-0}
ACCEPTED=$((AREQ - ABAD))
COMMITTED=$(wait_committed "$ACCEPTED")
wait_delivered || echo "WARNING: deliveries still pending after 120 s" >&2
printf "redirects/s %s | S2S conversions/s %s (ratio %.2f) | accepted %s, refused %s, committed %s\n" \
  "$RRPS" "$ARPS" "$(awk -v a="$ARPS" -v b="$RRPS" 'BEGIN{print a/b}')" "$ACCEPTED" "$ABAD" "$COMMITTED"
BEFORE=$COMMITTED
fi

echo "# part B: $RATE conversions/s for ${DUR}s, delivery latency from commit"
# Paced: 10 connections, each sending one request per 10 000/RATE ms (wrk's delay()).
sed "s|^request = function()|delay = function() return $((10000 / RATE)) end\nrequest = function()|" \
  "$WORK/convert.lua" >"$WORK/paced.lua"
START_US=$(($(date +%s%N) / 1000))
read -r BREQ BBAD BRPS <<<"$(run_wrk 10 "$WORK/paced.lua" "http://127.0.0.1:$CPORT/")"
BBAD=${BBAD:-0}
COMMITTED=$(wait_committed $((BEFORE + BREQ - BBAD)))
wait_delivered || echo "WARNING: deliveries still pending after 120 s" >&2
sqlite3 "file:$DATA/clicktrail.db?mode=ro" >"$WORK/latency.txt" <<SQL
SELECT (delivered_at - created_at) FROM outbox
WHERE state = 1 AND created_at >= $START_US ORDER BY 1;
SQL
N=$(wc -l <"$WORK/latency.txt")
pct() { awk -v p="$1" -v n="$N" 'NR == int((n - 1) * p / 100) + 1 { printf "%.1f", $1 / 1000; exit }' "$WORK/latency.txt"; }
LOST=$(sqlite3 "file:$DATA/clicktrail.db?mode=ro" "SELECT (SELECT COUNT(*) FROM conversions WHERE status = 0) - (SELECT COUNT(*) FROM outbox WHERE state = 1)")
printf "offered %s/s: %s sent, %s refused | delivered %s in part B | latency from commit ms: p50 %s p90 %s p99 %s max %s | committed without a delivered postback: %s\n" \
  "$RATE" "$BREQ" "$BBAD" "$N" "$(pct 50)" "$(pct 90)" "$(pct 99)" "$(pct 100)" "$LOST"
