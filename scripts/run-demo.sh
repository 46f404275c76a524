#!/usr/bin/env bash
# run-demo.sh BIN - the `make run` quick start: starts `clicktrail serve` on ./data (embedded
# store and journal), creates a demo account, a demo link and the dashboard user
# demo@example.com (random password, kept in $DATA/demo-password) the first time, prints the
# URLs to try, and keeps the server in the foreground until Ctrl-C (which stops it cleanly).
set -euo pipefail
BIN=${1:-build/clicktrail}
DATA=${CLICKTRAIL_DATA:-./data}
LISTEN=${CLICKTRAIL_LISTEN:-127.0.0.1:8080}
KEYFILE="$DATA/demo-api-key"
mkdir -p "$DATA"

if [ ! -s "$KEYFILE" ]; then
  "$BIN" account create demo --data "$DATA" > "$KEYFILE.tmp"
  mv "$KEYFILE.tmp" "$KEYFILE"
  chmod 600 "$KEYFILE"
fi
KEY=$(cat "$KEYFILE")

"$BIN" serve --data "$DATA" --listen "$LISTEN" &
PID=$!
trap 'kill -TERM $PID 2>/dev/null; wait $PID; exit $?' INT TERM
for _ in $(seq 1 100); do
  curl -fsS "http://$LISTEN/readyz" >/dev/null 2>&1 && break
  kill -0 $PID 2>/dev/null || { echo "clicktrail serve did not start" >&2; exit 1; }
  sleep 0.1
done

API="http://$LISTEN/api/v1"
AUTH="Authorization: Bearer $KEY"
# The demo link: created once; a 409 means it is already there.
curl -sS -o /dev/null -X POST "$API/links" -H "$AUTH" -H 'Content-Type: application/json' \
  -d '{"destination": "https://example.com/landing", "slug": "demo"}' || true
LINK_ID=$(curl -sS "$API/links?limit=1000" -H "$AUTH" |
  sed -n 's/.*"id":\([0-9]*\),"slug":"demo".*/\1/p')

# The dashboard user: created once, with a random password (the CLI reads it from stdin).
PWFILE="$DATA/demo-password"
if [ ! -s "$PWFILE" ]; then
  ACCOUNT_ID=$(curl -sS "$API/account" -H "$AUTH" | sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
  (umask 077 && head -c 12 /dev/urandom | base64 | tr -d '/+=\n' > "$PWFILE.tmp")
  "$BIN" user create demo@example.com --account "$ACCOUNT_ID" --data "$DATA" \
    < "$PWFILE.tmp" > /dev/null
  mv "$PWFILE.tmp" "$PWFILE"
fi
PASSWORD=$(cat "$PWFILE")

cat <<MSG

clicktrail is running on http://$LISTEN (data in $DATA).

Dashboard: http://$LISTEN/ui/   sign in as demo@example.com, password $PASSWORD

Try:

  curl -i http://$LISTEN/demo                       # the demo tracking link: a 302
  curl -s $API/links/$LINK_ID/stats?interval=minute -H "$AUTH"
                          # curl's User-Agent is on the crawler list: its clicks count as "bots";
                          # open http://$LISTEN/demo in a browser to see "total" and "unique" move
  curl -s "$API/links/$LINK_ID/stats?group_by=browser" -H "$AUTH"
  curl -s $API/links/$LINK_ID/hits -H "$AUTH"       # the click stream, newest first
  curl -s -X POST $API/links -H "$AUTH" -H 'Content-Type: application/json' \\
       -d '{"destination": "https://example.org/"}'
  curl -s http://$LISTEN/metrics

The demo API key is in $KEYFILE. Ctrl-C stops the server.
MSG
wait $PID
