#!/usr/bin/env bash
# stall_drain.sh - how fast clicktrail catches up after a store outage (issue 5's drain rate).
#
# usage: bench/stall_drain.sh [-s STALL_SECS] [-c CONNS] [-T THREADS] [-p PORT] BIN
#   -s SECS    how long the store stays locked (default 30); wrk runs for SECS-5 s meanwhile
#   -c N       wrk connections (default 64)
#   -T N       edge.threads (default 2)
#   -p PORT    loopback port (default 18190)
#
# A private `clicktrail serve` (temp data dir, 127.0.0.1) gets one link; then another process
# (sqlite3) holds the store's write lock while wrk sends redirects at full speed, so every click
# goes to the journal and none can be committed. When the lock is released the script polls
# /metrics until the tracker has committed every redirect the edge answered, and prints:
#   backlog     redirects answered during the outage (all of them were still uncommitted)
#   first       seconds from release to the first commit (the tracker's retry backoff)
#   drain       seconds from the first commit to zero backlog, and the rate in events/s
# It stops what it started, by PID, and removes its temp dir.
set -euo pipefail
STALL=30 CONNS=64 THREADS=2 PORT=18190
while getopts "s:c:T:p:h" o; do
  case $o in
    s) STALL=$OPTARG ;; c) CONNS=$OPTARG ;; T) THREADS=$OPTARG ;; p) PORT=$OPTARG ;;
    h) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) exit 2 ;;
  esac
done
shift $((OPTIND - 1))
BIN=${1:?usage: stall_drain.sh [options] BIN}
command -v wrk >/dev/null && command -v sqlite3 >/dev/null || {
  echo "needs wrk and sqlite3 (apt-get install wrk sqlite3)" >&2; exit 1; }

DIR=$(mktemp -d /tmp/stall_drain.XXXXXX)
SPID="" LPID=""
cleanup() {
  [ -n "$LPID" ] && kill "$LPID" 2>/dev/null || true
  if [ -n "$SPID" ] && kill -0 "$SPID" 2>/dev/null; then
    kill -TERM "$SPID"; for _ in $(seq 1 100); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SPID" 2>/dev/null || true
  fi
  rm -rf "$DIR"
}
trap cleanup EXIT

KEY=$("$BIN" account create bench --data "$DIR/d")
"$BIN" serve --data "$DIR/d" --listen "127.0.0.1:$PORT" --set "edge.threads=$THREADS" \
  2>"$DIR/serve.log" &
SPID=$!
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.1; done
curl -fsS -o /dev/null -X POST "http://127.0.0.1:$PORT/api/v1/links" -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' -d '{"destination":"https://example.com/","slug":"s"}'

metric() { curl -fsS "http://127.0.0.1:$PORT/metrics" | awk -v n="$1" '$1 == n {print $2}'; }
now() { date +%s.%N; }

# The outage: sqlite3 takes the write lock and keeps it for STALL seconds.
( echo "BEGIN EXCLUSIVE;"; sleep "$STALL"; echo "ROLLBACK;" ) | sqlite3 "$DIR/d/clicktrail.db" &
LPID=$!
sleep 1
committed_before=$(metric clicktrail_tracker_events_committed_total)
wrk -t1 -c"$CONNS" -d"$((STALL - 5))s" "http://127.0.0.1:$PORT/s" > "$DIR/wrk.txt"
wait "$LPID" || true
LPID=""
t_release=$(now)
redirects=$(curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '/^clicktrail_edge_requests_total\{.*outcome="redirect"/ {print $2}')
target=$((committed_before + redirects))
t_first="" backlog_at_first=""
while :; do
  c=$(metric clicktrail_tracker_events_committed_total)
  if [ -z "$t_first" ] && [ "${c%.*}" -gt "$committed_before" ]; then
    t_first=$(now); backlog_at_first=$((target - ${c%.*}))
  fi
  [ "${c%.*}" -ge "$target" ] && break
  if awk -v a="$(now)" -v b="$t_release" 'BEGIN {exit !(a - b > 600)}'; then
    echo "did not drain within 600 s (committed $c of $target)" >&2; exit 1
  fi
  sleep 0.05
done
t_done=$(now)
lag_max=$(metric clicktrail_pipeline_oldest_unconsumed_seconds)
awk -v r="$redirects" -v tr="$t_release" -v tf="$t_first" -v td="$t_done" -v bf="$backlog_at_first" \
    -v stall="$STALL" -v wrk_rps="$(awk '/^Requests\/sec/ {print $2}' "$DIR/wrk.txt")" 'BEGIN {
  printf "stall %d s; redirects answered during it %d (%.0f req/s, none failed: see wrk)\n", stall, r, wrk_rps
  printf "release -> first commit %.1f s; then %d events drained in %.1f s = %.0f events/s\n",
         tf - tr, bf + 0, td - tf, (bf + 0) / (td - tf)
  printf "release -> fully caught up %.1f s\n", td - tr
}'
grep -E "Non-2xx|Socket errors" "$DIR/wrk.txt" || echo "wrk: no socket errors, no non-3xx"
