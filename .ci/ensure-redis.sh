#!/usr/bin/env bash
# Makes sure the tests have a Redis. Prints the REDIS_URL to use on stdout (nothing when the
# tests should fall back to testcontainers), and what it did on stderr.
#   REDIS_URL set           -> used as it is
#   127.0.0.1:6379 answers  -> used
#   redis-server installed  -> started on 127.0.0.1:6379 (no persistence: test data only)
#   missing, root + apt     -> installed from Debian's packages, then started
set -uo pipefail

say() { printf '[redis] %s\n' "$*" >&2; }

answers() {
  local reply
  exec 3<>/dev/tcp/127.0.0.1/6379 2>/dev/null || return 1
  printf 'PING\r\n' >&3
  read -r -t 2 reply <&3 || reply=''
  exec 3<&- 3>&-
  [[ "$reply" == +PONG* ]]
}

if [ -n "${REDIS_URL:-}" ]; then echo "$REDIS_URL"; exit 0; fi
if answers; then echo "redis://127.0.0.1:6379"; exit 0; fi

if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    say "redis-server is missing: installing it from Debian's packages"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >&2 || say "could not install redis-server"
  fi
fi
if command -v redis-server >/dev/null 2>&1; then
  say "starting redis-server on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no --logfile /tmp/shoptok-test-redis.log >&2
  for _ in $(seq 1 50); do
    if answers; then echo "redis://127.0.0.1:6379"; exit 0; fi
    sleep 0.1
  done
  say "redis-server did not answer; see /tmp/shoptok-test-redis.log"
fi
say "no Redis on 127.0.0.1:6379 and none could be started: set REDIS_URL, or run Docker so the tests can use testcontainers"
exit 0
