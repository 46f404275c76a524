#!/usr/bin/env bash
# import_bench.sh - the import rate (issue 8's figure): generates a Bitly CSV export of N rows
# (default 100 000; unique slugs, a title, two tags, a click total each), creates a fresh data
# directory and account, and times `clicktrail import --format bitly` end to end (read, parse,
# check every row with the API's rules, match slugs, one write transaction). Then imports the
# same file again (idempotent: 0 created, N already existed) and times that too.
# Prints links/s for both runs; the importer's own per-phase lines (checking, matching,
# writing: count, time, rate) come on stderr.
#
# usage: bench/import_bench.sh [-n ROWS] BIN
# Needs only python3 (to write the file). Works in its own temporary directory, removed on exit.
set -euo pipefail

ROWS=100000
usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }
while getopts "n:h" o; do
  case $o in
    n) ROWS=$OPTARG ;;
    h) usage; exit 0 ;; *) usage >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -eq 1 ] || { usage >&2; exit 2; }
BIN=$(readlink -f "$1")
[ -x "$BIN" ] || { echo "not an executable: $1" >&2; exit 2; }
case $ROWS in ''|*[!0-9]*) echo "bad number: $ROWS" >&2; exit 2 ;; esac

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
CSV=$WORK/bitly.csv

python3 - "$ROWS" "$CSV" <<'PY'
import sys
rows, path = int(sys.argv[1]), sys.argv[2]
with open(path, "w", newline="") as f:
    f.write("Title,Bitlink,Long URL,Created,Tags,Clicks\r\n")
    for i in range(rows):
        f.write(f'"Campaign {i}, spring edition",bit.ly/b{i:07d},'
                f'https://shop.example.com/p/{i}?utm_source=bitly&utm_medium=email,'
                f'2023-03-01 10:00:00,spring|email,{i % 5000}\r\n')
PY
echo "generated $ROWS rows ($(du -h "$CSV" | cut -f1)) in $CSV"

KEY=$("$BIN" account create bench --data "$WORK/data")

run() {
  local label=$1 start end
  start=$(date +%s.%N)
  "$BIN" import --format bitly "$CSV" --account "$KEY" --data "$WORK/data" >"$WORK/out.txt"
  end=$(date +%s.%N)
  sed 's/^/  /' "$WORK/out.txt"
  python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); n=int(sys.argv[3]); \
print(f'$label: {n} rows in {s:.2f} s = {n/s:,.0f} links/s (end to end)')" "$start" "$end" "$ROWS"
}
run "first import"
run "second import (all exist)"
