#!/usr/bin/env bash
# profile_redirect.sh BIN [MODE] [CONNS] [SECS] - where `clicktrail serve` spends its time under
# wrk: starts it (fresh temp data dir, edge.threads=1, journal.durability=MODE, default group)
# pinned to CPU 0, creates /abc123, runs `wrk -t1 -cCONNS -dSECS` on CPU 1 and meanwhile
#   1. `perf record -e cpu-clock -g` (on-CPU samples; hardware counters are often missing in VMs)
#   2. `perf record -e sched:sched_switch -g` (where threads block: off-CPU)
# then prints the top symbols, per thread, and the top blocking stacks. Needs perf
# (linux-perf) and root or perf_event_paranoid <= 1. Loopback only; stops what it started.
# KEEP_PERF=DIR keeps the perf.data files there.
set -euo pipefail
BIN=$(readlink -f "$1"); MODE=${2:-group}; CONNS=${3:-64}; SECS=${4:-10}; PORT=${PORT:-18095}
D=$(mktemp -d /tmp/profile_redirect.XXXXXX); SPID=""
cleanup() {
  [ -n "$SPID" ] && kill -TERM "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null
  if [ -n "${KEEP_PERF:-}" ]; then mkdir -p "$KEEP_PERF" && cp "$D"/perf.* "$KEEP_PERF"/ 2>/dev/null; fi
  rm -rf "$D"
}
trap cleanup EXIT
KEY=$("$BIN" account create bench --data "$D/data")
taskset -c 0 "$BIN" serve --data "$D/data" --listen 127.0.0.1:$PORT --set edge.threads=1 \
  --set journal.durability="$MODE" >"$D/serve.log" 2>&1 &
SPID=$!
for _ in $(seq 1 100); do curl -fs -o /dev/null http://127.0.0.1:$PORT/readyz && break; sleep 0.1; done
curl -fsS -o /dev/null -X POST http://127.0.0.1:$PORT/api/v1/links -H "Authorization: Bearer $KEY" \
  -H 'Content-Type: application/json' -d '{"destination":"https://example.com/landing","slug":"abc123"}'
sleep 0.5
for ev in cpu-clock sched:sched_switch; do
  taskset -c 1 wrk -t1 -c"$CONNS" -d"${SECS}s" --latency http://127.0.0.1:$PORT/abc123 >"$D/wrk.$ev" &
  WPID=$!
  sleep 1
  perf record -q -e "$ev" -g -p "$SPID" -o "$D/perf.$ev" -- sleep $((SECS - 2)) 2>/dev/null
  wait "$WPID"
  grep -E "Requests/sec|requests in" "$D/wrk.$ev"
done
set +o pipefail  # the reports below are cut with head
echo "== on-CPU, by thread (tid)"
perf report -i "$D/perf.cpu-clock" --stdio --no-children --sort pid -g none 2>/dev/null | grep '%' | head -10
echo "== on-CPU, by thread (tid) and library"
perf report -i "$D/perf.cpu-clock" --stdio --no-children --sort pid,dso -g none 2>/dev/null | grep '%' | head -20
echo "== on-CPU, by library"
perf report -i "$D/perf.cpu-clock" --stdio --no-children --sort dso -g none 2>/dev/null | grep '%' | head -8
echo "== on-CPU, top symbols (self)"
perf report -i "$D/perf.cpu-clock" --stdio --no-children --sort pid,symbol -g none 2>/dev/null | grep '%' | head -40
echo "== on-CPU, inclusive (children) for selected frames"
perf report -i "$D/perf.cpu-clock" --stdio --children --sort symbol -g none 2>/dev/null | grep '%' | head -60
echo "== off-CPU: context switches by thread and blocking stack (caller)"
perf report -i "$D/perf.sched:sched_switch" --stdio --no-children --sort pid -g caller,0.5,callee,function,percent --max-stack 14 2>/dev/null | grep -v '^$' | head -120
