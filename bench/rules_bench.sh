#!/usr/bin/env bash
# rules_bench.sh - what the link features cost on the redirect path: ONE `clicktrail serve`,
# two links, measured with wrk in the same run, interleaved (plain, rules, plain, rules, ...),
# medians of N runs, and the ratios rules / plain and rules / slice.
#
#   slice  /plain1 on a SECOND server with enrichment off (no visitor cookie, no GeoDb, no UA
#          parser, no trusted proxy): the plain redirect of the vertical slice, the baseline
#   plain  /plain1: a plain link (still with the visitor cookie, and the GeoDb lookup for
#          Event.country when a GeoDb is loaded — that is the server's configuration)
#   rules  /rules1: targeting rules on country and on device, a rotation of 2 and a {click_id}
#          macro in every destination
# Both are requested with the same headers: an iPhone User-Agent, Accept-Language and
# X-Forwarded-For: 8.8.8.8 (the server trusts 127.0.0.1, so the country is looked up on
# 8.8.8.8). wrk keeps no cookies, so every request is a new visitor and gets a Set-Cookie.
#
# usage: bench/rules_bench.sh [options] BIN
#   -d SECS   duration of each wrk run (default 10)
#   -r N      runs per variant (default 3)
#   -c CONNS  connections (default 64)
#   -m MODE   journal.durability: group (default), none or strict
#   -S CPUS   server CPUs (default 0); -C CPUS wrk CPUs (default 1)
#   -p PORT   loopback port (default 18095)
#   -o FILE   also write the summary (markdown) to FILE
# Needs wrk and curl. Every process is started here, on 127.0.0.1, and stopped by PID.
set -euo pipefail

DUR=10 REPS=3 CONNS=64 MODE=group SCPU=0 WCPU=1 PORT=18095 OUT=""
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while getopts "d:r:c:m:S:C:p:o:h" o; do
  case $o in
    d) DUR=$OPTARG ;; r) REPS=$OPTARG ;; c) CONNS=$OPTARG ;; m) MODE=$OPTARG ;;
    S) SCPU=$OPTARG ;; C) WCPU=$OPTARG ;; p) PORT=$OPTARG ;; o) OUT=$OPTARG ;;
    h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { usage >&2; exit 2; }
BIN=$(readlink -f "$1")
[ -x "$BIN" ] || { echo "not an executable: $1" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is required (bench/redirect_bench.sh installs it)" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }
case $MODE in group|none|strict) ;; *) echo "bad mode: $MODE" >&2; exit 2 ;; esac

WORK=$(mktemp -d /tmp/rules_bench.XXXXXX)
SPID="" BPID=""
stop_pid() {
  local pid=$1
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
}
cleanup() {
  stop_pid "$SPID"
  stop_pid "$BPID"
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

UA='Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1'
BASE="http://127.0.0.1:$PORT"
KEY=$("$BIN" account create bench --data "$WORK")
taskset -c "$SCPU" "$BIN" serve --data "$WORK" --listen "127.0.0.1:$PORT" --set edge.threads=1 \
  --set journal.durability="$MODE" --set edge.trusted_proxies=127.0.0.1 >"$WORK/serve.log" 2>&1 &
SPID=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "$BASE/readyz" || { echo "serve did not start:" >&2; cat "$WORK/serve.log" >&2; exit 1; }
# The baseline server: the vertical slice's plain redirect, enrichment off.
BPORT=$((PORT + 1)) BBASE="http://127.0.0.1:$((PORT + 1))"
mkdir -p "$WORK/slice"
BKEY=$("$BIN" account create bench --data "$WORK/slice")
taskset -c "$SCPU" "$BIN" serve --data "$WORK/slice" --listen "127.0.0.1:$BPORT" \
  --set edge.threads=1 --set journal.durability="$MODE" --set tracking.visitor_cookie=false \
  --set enrich.geoip_db=/nonexistent --set enrich.uap_regexes=/nonexistent \
  --set enrich.crawlers=/nonexistent >"$WORK/slice.log" 2>&1 &
BPID=$!
for _ in $(seq 1 100); do curl -fsS -o /dev/null "$BBASE/readyz" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "$BBASE/readyz" || { echo "baseline serve did not start:" >&2; cat "$WORK/slice.log" >&2; exit 1; }
curl -sS -X POST "$BBASE/api/v1/links" -H "Authorization: Bearer $BKEY" -H 'Content-Type: application/json' \
  -d '{"slug":"plain1","destination":"https://example.com/landing"}' >/dev/null
api() { curl -sS -X POST "$BASE/api/v1/links" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' -d "$1"; }
api '{"slug":"plain1","destination":"https://example.com/landing"}' >/dev/null
api '{"slug":"rules1","destinations":[{"url":"https://example.com/a?cid={click_id}","weight":50},{"url":"https://example.com/b?cid={click_id}","weight":50}],"rules":[{"countries":["FR"],"destination":"https://example.fr/?cid={click_id}"},{"devices":["tablet"],"destination":"https://example.com/tab?cid={click_id}"}]}' >"$WORK/rules.json"
grep -q '"id"' "$WORK/rules.json" || { echo "rules link refused: $(cat "$WORK/rules.json")" >&2; exit 1; }
for u in "$BASE/plain1" "$BASE/rules1" "$BBASE/plain1"; do
  for _ in $(seq 1 50); do
    [ "$(curl -s -o /dev/null -I -w '%{http_code}' "$u")" = 302 ] && break; sleep 0.1
  done
done
GEO=$(grep -q 'countries: off' "$WORK/serve.log" && echo "NO GeoDb" || echo "GeoDb loaded")
UAP=$(grep -q 'user agents: off' "$WORK/serve.log" && echo "NO UA parser" || echo "UA parser loaded")
echo "# rules_bench $(date -u +%FT%TZ): $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"
echo "# serve edge.threads=1 durability=$MODE on CPU $SCPU, wrk -t1 -c$CONNS -d${DUR}s on CPU $WCPU; $GEO; $UAP"
echo "# sample rules1: $(curl -sI -H "User-Agent: $UA" -H 'X-Forwarded-For: 8.8.8.8' "$BASE/rules1" | grep -i '^location' | tr -d '\r')"

metric() { curl -fsS "$1/metrics" | awk -v n="$2" '$1 == n {printf "%.0f", $2}' || true; }
wait_tracker() {  # the tracker shares the core: let it finish the last run's clicks first
  local w c
  for _ in $(seq 1 240); do
    w=$(metric "$1" clicktrail_journal_written_position)
    c=$(metric "$1" clicktrail_tracker_committed_position)
    [ -z "$w" ] || [ -z "$c" ] || [ "$c" -ge "$w" ] && return 0
    sleep 0.5
  done
}
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
CLK_TCK=$(getconf CLK_TCK)
declare -A R
for rep in $(seq 1 "$REPS"); do
  for V in slice plain rules; do
    if [ "$V" = slice ]; then url="$BBASE/plain1" pid=$BPID base=$BBASE
    else url="$BASE/${V}1" pid=$SPID base=$BASE; fi
    wait_tracker "$base"
    before=$(cpu_ticks "$pid")
    out=$(taskset -c "$WCPU" wrk -t1 -c"$CONNS" -d"${DUR}s" --latency -H "User-Agent: $UA" \
      -H 'Accept-Language: en-US,en;q=0.9' -H 'X-Forwarded-For: 8.8.8.8' "$url" 2>&1)
    after=$(cpu_ticks "$pid")
    rps=$(awk '/^Requests\/sec:/{print $2}' <<<"$out")
    reqs=$(awk '/requests in/{print $1}' <<<"$out")
    errs=$(awk '/Socket errors|Non-2xx/{printf "%s; ", $0}' <<<"$out")
    cpu=$(awk -v a="$before" -v b="$after" -v hz="$CLK_TCK" -v n="$reqs" 'BEGIN{printf "%.2f", (b-a)/hz*1e6/n}')
    R[$V]+="$rps $cpu"$'\n'
    printf '%-6s run %s: %10.0f req/s  cpu %s us/req  load1 %s %s\n' "$V" "$rep" "$rps" "$cpu" \
      "$(cut -d' ' -f1 /proc/loadavg)" "${errs:+[$errs]}"
  done
done
median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
p=$(awk 'NF{print $1}' <<<"${R[plain]}" | median); r=$(awk 'NF{print $1}' <<<"${R[rules]}" | median)
pc=$(awk 'NF{print $2}' <<<"${R[plain]}" | median); rc=$(awk 'NF{print $2}' <<<"${R[rules]}" | median)
b=$(awk 'NF{print $1}' <<<"${R[slice]}" | median); bc=$(awk 'NF{print $2}' <<<"${R[slice]}" | median)
{
  echo
  echo "| link | req/s (median of $REPS) | server CPU µs/req |"
  echo "| --- | ---: | ---: |"
  echo "| slice: plain link, enrichment off | $b | $bc |"
  echo "| plain link, enrichment on | $p | $pc |"
  echo "| rules + rotation + {click_id} | $r | $rc |"
  awk -v p="$p" -v r="$r" -v b="$b" \
    'BEGIN { printf "\nratio rules / plain: %.3fx; rules / slice: %.3fx; plain / slice: %.3fx\n", r / p, r / b, p / b }'
} | tee "${OUT:-/dev/null}"
