#!/usr/bin/env bash
# redirect_bench.sh - the headline benchmark: `clicktrail serve` answering a tracking link's 302
# next to a private nginx answering a static 302, measured with wrk in ONE run, interleaved
# (nginx, group, none, strict, nginx, group, ...), medians of N runs per variant.
#
# usage: bench/redirect_bench.sh [options] BIN
#   BIN          the clicktrail binary (e.g. build/clicktrail)
#   -d SECS      duration of each wrk run (default 10)
#   -r N         runs per variant and connection count (default 3)
#   -c LIST      connection counts (default "64 256")
#   -T LIST      server thread counts: edge.threads for clicktrail, worker_processes for nginx
#                (default "1"; "1 2" adds the 2-vs-2 comparison)
#   -m LIST      clicktrail durability modes (default "group none strict")
#   -S CPUS      CPUs of the server with 1 thread (default 0)
#   -C CPUS      CPUs of wrk with 1 server thread (default 1)
#                With 2 server threads both the server and wrk get CPUs 0,1 (shared): a 2-core
#                machine has no spare core for the load generator.
#   -p PORT      base loopback port (default 18090; nginx PORT, clicktrail PORT+1)
#   -o FILE      also write the summary tables (markdown) to FILE
#   -n           never install anything (fail if nginx or wrk is missing)
#   -h           help
#
# Each clicktrail run uses a fresh temp data dir: `clicktrail account create`, `clicktrail
# serve --set edge.threads=T --set journal.durability=MODE` on 127.0.0.1, a link created through
# POST /api/v1/links (slug abc123), readiness checked with HEAD (HEADs are not clicks), then
# `wrk -t1 -cC -dD --latency http://127.0.0.1:PORT/abc123`. After every run that records clicks
# (group, strict) the script waits for the tracker (committed position = journal written
# position, bounded to 120 s) and compares the stats API total + bots (GET /api/v1/links/ID/stats?
# interval=day) with wrk's request count and the edge's own redirect counter.
# The server's CPU time (utime+stime from /proc, all its threads/processes) over the wrk run is
# divided by the requests: CPU µs per request, the server-bound measure of BASELINE.md.
# nginx is started the way ../../shared/bench/nginx-302-baseline.sh does it (same config); that
# script is used to install nginx/wrk from Debian's archive when they are missing.
#
# Every process is started by this script, on 127.0.0.1 only, and stopped by PID on exit.
set -euo pipefail

DUR=10 REPS=3 CONNS="64 256" THREADS="1" MODES="group none strict" SCPU=0 WCPU=1 PORT=18090
OUT="" NOINSTALL=0
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while getopts "d:r:c:T:m:S:C:p:o:nh" o; do
  case $o in
    d) DUR=$OPTARG ;; r) REPS=$OPTARG ;; c) CONNS=$OPTARG ;; T) THREADS=$OPTARG ;;
    m) MODES=$OPTARG ;; S) SCPU=$OPTARG ;; C) WCPU=$OPTARG ;; p) PORT=$OPTARG ;;
    o) OUT=$OPTARG ;; n) NOINSTALL=1 ;; h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { usage >&2; exit 2; }
BIN=$(readlink -f "$1")
[ -x "$BIN" ] || { echo "not an executable: $1" >&2; exit 2; }
for v in "$DUR" "$REPS" "$PORT"; do
  case $v in ''|*[!0-9]*) echo "bad number: $v" >&2; exit 2 ;; esac
done
for m in $MODES; do
  case $m in group|none|strict) ;; *) echo "bad mode: $m" >&2; exit 2 ;; esac
done
HERE=$(cd "$(dirname "$0")" && pwd)
SHARED=$HERE/../../shared/bench/nginx-302-baseline.sh
NPORT=$PORT CPORT=$((PORT + 1))

# ---- nginx and wrk ------------------------------------------------------------------------
find_nginx() { command -v nginx 2>/dev/null || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true; }
NGINX=$(find_nginx)
if [ -z "$NGINX" ] || ! command -v wrk >/dev/null 2>&1; then
  [ $NOINSTALL -eq 1 ] && { echo "nginx or wrk missing and -n given" >&2; exit 1; }
  [ -x "$SHARED" ] || { echo "nginx/wrk missing and $SHARED not found" >&2; exit 1; }
  echo "# installing nginx/wrk through $SHARED" >&2
  "$SHARED" -p "$NPORT" -r 1 -- -t1 -c4 -d1s >/dev/null
  NGINX=$(find_nginx)
fi
command -v curl >/dev/null || { echo "curl is required" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$NPORT" "$CPORT"; do
  if port_open "$p"; then echo "127.0.0.1:$p is already in use" >&2; exit 1; fi
done

WORK=$(mktemp -d /tmp/redirect_bench.XXXXXX)
SPID=""  # the server currently running (nginx master or clicktrail)
stop_server() {
  [ -n "$SPID" ] || return 0
  if kill -0 "$SPID" 2>/dev/null; then
    kill -TERM "$SPID" 2>/dev/null || true
    for _ in $(seq 1 300); do kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SPID" 2>/dev/null; then
      echo "WARNING: server pid $SPID did not stop within 30 s of SIGTERM; killing it" >&2
      kill -KILL "$SPID" 2>/dev/null || true
    fi
  fi
  wait "$SPID" 2>/dev/null || true
  SPID=""
}
cleanup() { stop_server; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# CPU ticks (utime+stime) of a process and all its threads, plus its child processes (nginx
# workers). Children are found by parent pid, never by name.
cpu_ticks() {
  local pid=$1 total=0 t c
  for t in "$pid" $(ps -o pid= --ppid "$pid" 2>/dev/null); do
    [ -r "/proc/$t/stat" ] || continue
    # fields 14, 15 after the ")" of the comm field
    c=$(sed 's/^.*) //' "/proc/$t/stat" | awk '{print $12 + $13}')
    total=$((total + c))
  done
  echo "$total"
}
CLK_TCK=$(getconf CLK_TCK)

# wrk latency string (e.g. 133.00us, 1.20ms, 2.00s) -> microseconds
to_us() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) m = 1; else if (v ~ /ms$/) m = 1000;
                         else if (v ~ /s$/) m = 1000000; else m = 1; printf "%.0f", n * m }'
}

# Runs wrk against PORT; sets RPS REQS P50 P99 ERRS CPUUS (server CPU µs per request).
run_wrk() {
  local port=$1 conns=$2 wcpus=$3 out before after
  before=$(cpu_ticks "$SPID")
  out=$(taskset -c "$wcpus" wrk -t1 -c"$conns" -d"${DUR}s" --latency "http://127.0.0.1:$port/abc123" 2>&1) ||
    { echo "$out" >&2; echo "wrk failed" >&2; return 1; }
  after=$(cpu_ticks "$SPID")
  echo "$out" >>"$WORK/wrk.log"
  RPS=$(awk '/^Requests\/sec:/{print $2}' <<<"$out")
  REQS=$(awk '/requests in/{print $1}' <<<"$out")
  P50=$(to_us "$(awk '$1 == "50%" {print $2}' <<<"$out")")
  P99=$(to_us "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  ERRS=$(awk '/Socket errors|Non-2xx/{printf "%s; ", $0}' <<<"$out" | sed 's/  */ /g')
  CPUUS=$(awk -v a="$before" -v b="$after" -v hz="$CLK_TCK" -v n="$REQS" \
    'BEGIN { if (n > 0) printf "%.2f", (b - a) / hz * 1e6 / n; else print "nan" }')
}

start_nginx() {
  local workers=$1 cpus=$2 d=$WORK/nginx
  rm -rf "$d"; mkdir -p "$d/logs" "$d/tmp"
  cat >"$d/nginx.conf" <<CONF
worker_processes $workers;
daemon off;
master_process on;
pid $d/nginx.pid;
error_log $d/logs/error.log warn;
events { worker_connections 4096; multi_accept on; }
http {
  access_log off;
  server_tokens off;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  client_body_temp_path $d/tmp; proxy_temp_path $d/tmp; fastcgi_temp_path $d/tmp;
  uwsgi_temp_path $d/tmp; scgi_temp_path $d/tmp;
  server {
    listen 127.0.0.1:$NPORT reuseport backlog=4096;
    location / { return 302 https://example.com/landing; }
  }
}
CONF
  taskset -c "$cpus" "$NGINX" -c "$d/nginx.conf" -p "$d" -e "$d/logs/error.log" >"$d/logs/stdout.log" 2>&1 &
  SPID=$!
  for _ in $(seq 1 100); do port_open "$NPORT" && return 0; kill -0 "$SPID" 2>/dev/null || break; sleep 0.1; done
  echo "nginx did not start:" >&2; cat "$d/logs/"* >&2 || true; return 1
}

# Starts clicktrail with a fresh data dir; sets SPID, KEY, LINK_ID, CDIR.
start_clicktrail() {
  local threads=$1 mode=$2 cpus=$3 resp
  CDIR=$(mktemp -d "$WORK/ct.XXXXXX")
  KEY=$("$BIN" account create bench --data "$CDIR")
  taskset -c "$cpus" "$BIN" serve --data "$CDIR" --listen "127.0.0.1:$CPORT" \
    --set edge.threads="$threads" --set journal.durability="$mode" >"$CDIR/serve.log" 2>&1 &
  SPID=$!
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$CPORT/readyz" 2>/dev/null && break
    kill -0 "$SPID" 2>/dev/null || break
    sleep 0.1
  done
  curl -fsS -o /dev/null "http://127.0.0.1:$CPORT/readyz" ||
    { echo "clicktrail serve did not become ready:" >&2; cat "$CDIR/serve.log" >&2; return 1; }
  resp=$(curl -sS -X POST "http://127.0.0.1:$CPORT/api/v1/links" -H "Authorization: Bearer $KEY" \
    -H 'Content-Type: application/json' \
    -d '{"destination":"https://example.com/landing","slug":"abc123"}')
  LINK_ID=$(sed -n 's/^{"id":\([0-9]*\),.*/\1/p' <<<"$resp")
  [ -n "$LINK_ID" ] || { echo "link creation failed: $resp" >&2; return 1; }
  # HEAD, not GET: a HEAD is counted apart (stats "head"), so the click total stays wrk's alone.
  for _ in $(seq 1 50); do
    [ "$(curl -s -o /dev/null -I -w '%{http_code}' "http://127.0.0.1:$CPORT/abc123")" = 302 ] && return 0
    sleep 0.1
  done
  echo "the link never answered 302" >&2; return 1
}

metric() {  # metric NAME_WITH_LABELS -> value (from /metrics)
  { curl -fsS "http://127.0.0.1:$CPORT/metrics" | awk -v n="$1" '$1 == n {printf "%.0f", $2}'; } || true
}

# After a recording run: waits for the tracker, then compares counts. Sets COUNT_LINE, COUNT_OK.
check_count() {
  local wrk_reqs=$1 conns=$2 written committed stats redirects i
  for i in $(seq 1 240); do
    written=$(metric clicktrail_journal_written_position)
    committed=$(metric clicktrail_tracker_committed_position)
    [ -n "$written" ] && [ -n "$committed" ] && [ "$committed" -ge "$written" ] && break
    sleep 0.5
  done
  # wrk sends no User-Agent, so its clicks are bots: counted is total (humans) + bots.
  local body; body=$(curl -fsS "http://127.0.0.1:$CPORT/api/v1/links/$LINK_ID/stats?interval=day" \
    -H "Authorization: Bearer $KEY") || true
  stats=$(( $(grep -o '"total":[0-9]*' <<<"$body" | head -1 | cut -d: -f2) + \
            $(grep -o '"bots":[0-9]*' <<<"$body" | head -1 | cut -d: -f2) )) || true
  redirects=$(metric 'clicktrail_edge_requests_total{outcome="redirect"}')
  local unrec; unrec=$(metric clicktrail_edge_clicks_unrecorded_total)
  if [ "${committed:-0}" -lt "${written:-1}" ]; then
    COUNT_OK="TRACKER DID NOT CATCH UP in 120 s"
  elif [ "$stats" = "$wrk_reqs" ]; then
    COUNT_OK="equal"
  elif [ "$stats" = "$redirects" ] && [ "$stats" -gt "$wrk_reqs" ] && [ $((stats - wrk_reqs)) -le "$conns" ]; then
    COUNT_OK="stats = edge redirects; +$((stats - wrk_reqs)) over wrk (<= $conns in flight when wrk stopped)"
  else
    COUNT_OK="MISMATCH"
  fi
  COUNT_LINE="wrk requests $wrk_reqs, stats total $stats, edge redirects $redirects, unrecorded ${unrec:-?}: $COUNT_OK"
}

# ---- the run -------------------------------------------------------------------------------
declare -A R  # R[threads,conns,variant] = "rps p50 p99 cpuus" lines
echo "# redirect_bench $(date -u +%FT%TZ): $(nproc) CPUs, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), kernel $(uname -r)"
echo "# nginx $("$NGINX" -v 2>&1 | sed 's/.*\///'), $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'), clicktrail $BIN"
echo "# wrk -t1 -c{$CONNS} -d${DUR}s --latency; $REPS runs per variant, interleaved; medians"
VARIANTS="nginx $(for m in $MODES; do printf 'ct-%s ' "$m"; done)"
for T in $THREADS; do
  if [ "$T" = 1 ]; then scpu=$SCPU wcpu=$WCPU; else scpu=0-$(($(nproc) - 1)) wcpu=$scpu; fi
  echo "# server threads $T: server on CPU $scpu, wrk on CPU $wcpu (taskset)"
  for C in $CONNS; do
    for rep in $(seq 1 "$REPS"); do
      for V in $VARIANTS; do
        if [ "$V" = nginx ]; then
          start_nginx "$T" "$scpu"
          run_wrk "$NPORT" "$C" "$wcpu"
          stop_server
          extra=""
        else
          mode=${V#ct-}
          start_clicktrail "$T" "$mode" "$scpu"
          run_wrk "$CPORT" "$C" "$wcpu"
          extra=""
          if [ "$mode" != none ]; then
            check_count "$REQS" "$C"
            extra=" | count: $COUNT_LINE"
            echo "$T $C $V $rep $COUNT_LINE" >>"$WORK/counts"
          fi
          stop_server
          grep -E ' (WARN|ERROR) ' "$CDIR/serve.log" | head -5 | sed 's/^/  serve log: /' || true
          rm -rf "$CDIR"
        fi
        R[$T,$C,$V]+="$RPS $P50 $P99 $CPUUS"$'\n'
        printf 'threads=%s conns=%s %-10s run %s: %10.0f req/s  p50 %6s us  p99 %6s us  cpu %6s us/req  load1 %s%s%s\n' \
          "$T" "$C" "$V" "$rep" "$RPS" "$P50" "$P99" "$CPUUS" "$(cut -d' ' -f1 /proc/loadavg)" \
          "${ERRS:+  [$ERRS]}" "$extra"
      done
    done
  done
done

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
col() { awk -v k="$1" 'NF {print $k}'; }
{
  echo
  echo "## Results (medians of $REPS runs of ${DUR} s; ratio = clicktrail / nginx)"
  for T in $THREADS; do
    for C in $CONNS; do
      echo
      echo "### $T server thread(s), $C connections"
      echo
      echo "| variant | req/s | p50 µs | p99 µs | server CPU µs/req | req/s ratio | CPU/req ratio |"
      echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
      nrps=$(col 1 <<<"${R[$T,$C,nginx]}" | median)
      ncpu=$(col 4 <<<"${R[$T,$C,nginx]}" | median)
      for V in $VARIANTS; do
        rps=$(col 1 <<<"${R[$T,$C,$V]}" | median)
        p50=$(col 2 <<<"${R[$T,$C,$V]}" | median)
        p99=$(col 3 <<<"${R[$T,$C,$V]}" | median)
        cpu=$(col 4 <<<"${R[$T,$C,$V]}" | median)
        awk -v v="$V" -v r="$rps" -v a="$p50" -v b="$p99" -v c="$cpu" -v nr="$nrps" -v nc="$ncpu" \
          'BEGIN { printf "| %s | %.0f | %.0f | %.0f | %.2f | %.2f | %.2f |\n", v, r, a, b, c, r / nr, c / nc }'
      done
      if [[ " $VARIANTS " == *" ct-group "* && " $VARIANTS " == *" ct-none "* ]]; then
        g=$(col 1 <<<"${R[$T,$C,ct-group]}" | median); n=$(col 1 <<<"${R[$T,$C,ct-none]}" | median)
        awk -v g="$g" -v n="$n" 'BEGIN { printf "\nDurability cost (group vs none): %.2fx throughput (%.1f%% fewer req/s)\n", g / n, (1 - g / n) * 100 }'
      fi
    done
  done
  if [ -s "$WORK/counts" ]; then
    echo
    echo "### Click count check (threads conns variant run: ...)"
    echo
    sed 's/^/    /' "$WORK/counts"
  fi
} | tee "${OUT:-/dev/null}"
