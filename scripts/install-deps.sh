#!/usr/bin/env bash
# install-deps.sh - installs what clicktrail needs to build, test and run on Debian 12.
# Idempotent: installs only the packages that are missing, runs apt-get update at most once.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git clang-format
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev  # HTTP (Beast/Asio), JSON, URL
  libsqlite3-dev sqlite3                                        # embedded store
  libssl-dev                                                    # SHA-256 of API keys
  libsodium-dev                                                 # Argon2id of user passwords
  libfmt-dev                                                    # log formatting
  libcurl4-openssl-dev                                          # alarms (webhook, SMTP, SMS)
  libqrencode-dev libpng-dev                                    # QR codes of short links
  libmaxminddb-dev libre2-dev libyaml-cpp-dev                   # enrichment: geo, UA, bots
  libhowardhinnant-date-dev tzdata                              # time zones of reports
  zlib1g-dev                                                    # gzip raw-hit exports
  nats-server libnats-dev                                       # distributed mode: JetStream bus
  libgtest-dev libgmock-dev libbenchmark-dev                    # tests and micro benchmarks
  curl procps psmisc                                            # used by tests and make run
  prometheus                                                    # promtool: tests parse /metrics
  zbar-tools                                                    # zbarimg: tests read QR codes back
  chromium                                                      # browser tests (tests/browser)
  postgresql libpq-dev                                          # distributed mode's store
)

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

# Pinned npm packages, each set installed by `npm ci` from its package-lock.json: the enrichment
# data and uPlot (third_party/npm; the compiled-in default paths and the embedded chart library)
# and playwright-core for the browser tests (tests/browser). `npm ci` runs only when node_modules
# is missing or the lock changed since the last run (a stamp in node_modules holds its hash).
npm_ci_dir() {
  local dir="$1" stamp want
  stamp="$dir/node_modules/.clicktrail-lock.sha256"
  want="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  if [ -d "$dir/node_modules" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: installing npm"
    $SUDO apt-get install -y -q --no-install-recommends npm ||
      { $SUDO apt-get update -q && $SUDO apt-get install -y -q --no-install-recommends npm; }
  fi
  echo "install-deps: npm ci in $dir"
  npm ci --prefix "$dir" --no-audit --no-fund
  echo "$want" >"$stamp"
}

install_npm_data() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  npm_ci_dir "$root/third_party/npm"
  npm_ci_dir "$root/tests/browser"
}

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  install_npm_data
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# Keep Debian's maintainer scripts from starting services (the prometheus package ships one) on
# this machine: a temporary policy-rc.d (invoke-rc.d(8)), only if the machine has none.
policy_created=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
  $SUDO chmod 755 /usr/sbin/policy-rc.d
  policy_created=1
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
install_npm_data
