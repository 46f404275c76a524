#!/usr/bin/env bash
# reconcile_bench.sh - the reconciliation figure of issue 8: N clicks against `clicktrail serve`
# with wrk, three kill -9 + restart faults during the run, then the tracker drains and
# `clicktrail reconcile` must show every hour reconciled (answered = journaled = committed).
#
# usage: bench/reconcile_bench.sh [options] BIN
#   BIN        the clicktrail binary (e.g. build/clicktrail)
#   -n N       clicks to send (default 10000000)
#   -k K       kill -9 faults, spread evenly over the run (default 3)
#   -c CONNS   wrk connections (default 64)
#   -t THREADS wrk threads (default 1)
#   -p PORT    loopback port of serve (default 18190)
#   -d DIR     keep the data here (default: a temp dir, removed at exit)
#   -h         help
#
# wrk runs ONE long load with a Lua script that stops each wrk thread once it has received its
# share of N answers (then SIGINT ends wrk, whose main thread would sleep out -d); serve listens on a fixed port, so wrk reconnects by itself after each
# restart (connection errors while serve is down are wrk's "errors", not clicks). The script
# watches the edge's redirect counter on /metrics (summed across restarts) and sends kill -9
# when it passes each K+1-th of N, then restarts serve at once on the same data. After wrk
# ends: a wait for the tracker (journal backlog empty and nothing in flight in the API, bounded
# to 30 min), a clean stop (the final tally), and `clicktrail reconcile
# --strict`, whose table and exit status are printed. Exit status: that of reconcile.
#
# Every process is started by this script, on 127.0.0.1 only, and stopped by PID on exit.
set -euo pipefail

N=10000000 KILLS=3 CONNS=64 THREADS=1 PORT=18190 KEEP=""
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while getopts "n:k:c:t:p:d:h" o; do
  case $o in
    n) N=$OPTARG ;; k) KILLS=$OPTARG ;; c) CONNS=$OPTARG ;; t) THREADS=$OPTARG ;;
    p) PORT=$OPTARG ;; d) KEEP=$OPTARG ;; h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { usage >&2; exit 2; }
BIN=$(readlink -f "$1")
[ -x "$BIN" ] || { echo "not an executable: $1" >&2; exit 2; }
for v in "$N" "$KILLS" "$CONNS" "$THREADS" "$PORT"; do
  case $v in ''|*[!0-9]*) echo "bad number: $v" >&2; exit 2 ;; esac
done
command -v wrk >/dev/null || { echo "wrk is required (apt-get install wrk)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }
if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "127.0.0.1:$PORT is already in use" >&2; exit 1
fi

WORK=$(mktemp -d /tmp/reconcile_bench.XXXXXX)
DATA=${KEEP:-$WORK/data}
mkdir -p "$DATA"
SPID="" WPID=""
stop_pid() {  # stop_pid PID SIGNAL
  [ -n "$1" ] || return 0
  kill "-$2" "$1" 2>/dev/null || true
  for _ in $(seq 1 600); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() { stop_pid "$WPID" TERM; stop_pid "$SPID" TERM; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

start_serve() {
  "$BIN" serve --data "$DATA" --listen "127.0.0.1:$PORT" --set edge.id=bench \
    >>"$WORK/serve.log" 2>&1 &
  SPID=$!
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
  done
  echo "serve did not become ready; log:" >&2
  tail -20 "$WORK/serve.log" >&2
  exit 1
}
redirects() {  # the edge's redirect counter of the running serve (0 if unreachable)
  curl -s "http://127.0.0.1:$PORT/metrics" 2>/dev/null |
    awk '/^clicktrail_edge_requests_total\{outcome="redirect"\}/ {print $2; f=1} END {if (!f) print 0}'
}

KEY=$("$BIN" account create bench --data "$DATA")
start_serve
curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/links" -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' -d '{"destination": "https://example.com/", "slug": "rb"}' \
  >/dev/null

# Each wrk thread stops once it has its share of N answers (302s).
cat >"$WORK/quota.lua" <<LUA
local quota = math.ceil($N / $THREADS)
local got = 0
response = function(status, headers, body)
  if status == 302 then got = got + 1 end
  if got >= quota then wrk.thread:stop() end
end
LUA
echo "# $N clicks, $KILLS kill -9 faults, wrk -t$THREADS -c$CONNS, data $DATA"
START=$(date +%s)
wrk -t"$THREADS" -c"$CONNS" -d3600s --timeout 5s -s "$WORK/quota.lua" "http://127.0.0.1:$PORT/rb" \
  >"$WORK/wrk.log" 2>&1 &
WPID=$!

BASE=0  # redirects counted by the serve processes already killed
for k in $(seq 1 "$KILLS"); do
  AT=$((N * k / (KILLS + 1)))
  while kill -0 "$WPID" 2>/dev/null; do
    NOW=$(redirects); NOW=${NOW%.*}
    [ $((BASE + NOW)) -ge "$AT" ] && break
    sleep 0.2
  done
  kill -0 "$WPID" 2>/dev/null || break
  NOW=$(redirects); NOW=${NOW%.*}
  BASE=$((BASE + NOW))
  echo "# kill -9 #$k after ~$BASE redirects ($(($(date +%s) - START)) s)"
  kill -KILL "$SPID"; wait "$SPID" 2>/dev/null || true
  start_serve
done
# wrk's main thread sleeps for the whole -d even after every thread stopped at its quota: once
# the edge's counter stops moving for 3 s, SIGINT makes wrk print its figures and exit.
LAST=-1 STILL=0
while kill -0 "$WPID" 2>/dev/null; do
  NOW=$(redirects); NOW=${NOW%.*}
  if [ "$NOW" = "$LAST" ]; then STILL=$((STILL + 1)); else STILL=0; LAST=$NOW; fi
  [ $STILL -ge 6 ] && kill -INT "$WPID" 2>/dev/null
  sleep 0.5
done
wait "$WPID" || true
WPID=""
ELAPSED=$(($(date +%s) - START))
echo "# wrk finished after $ELAPSED s:"
grep -E "requests in|Socket errors|Non-2xx|Requests/sec" "$WORK/wrk.log" | sed 's/^/#   /'

# Wait until the tracker has committed everything: the journal backlog is (nearly) empty and the
# report has nothing in flight, twice in a row (bounded to 30 min).
backlog() {
  curl -s "http://127.0.0.1:$PORT/metrics" 2>/dev/null |
    awk '/^clicktrail_journal_backlog_bytes / {print int($2); f=1} END {if (!f) print 999999999}'
}
DRAIN0=$(date +%s) CALM=0
for _ in $(seq 1 9000); do
  R=$(curl -s "http://127.0.0.1:$PORT/api/v1/reconciliation" -H "Authorization: Bearer $KEY" || true)
  if [ "$(backlog)" -lt 65536 ] && echo "$R" | grep -q '"in_flight":0,"mismatch":'; then
    CALM=$((CALM + 1))
    [ $CALM -ge 2 ] && break
  else
    CALM=0
  fi
  sleep 0.5
done
echo "# tracker drained $(($(date +%s) - DRAIN0)) s after the load"
stop_pid "$SPID" TERM
SPID=""
set +e
"$BIN" reconcile --data "$DATA" --strict
RC=$?
set -e
if [ $RC -eq 0 ]; then
  echo "RESULT: every hour reconciles (answered = journaled = committed) after $KILLS kill -9 faults"
else
  echo "RESULT: NOT every hour reconciles (reconcile exit $RC)"
fi
exit $RC
