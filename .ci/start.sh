#!/usr/bin/env bash
# The README's first command (`npm start`): a Redis for the fleet, then the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
redis_url="$(bash .ci/ensure-redis.sh)"
if [ -n "$redis_url" ]; then export REDIS_URL="$redis_url"; fi
exec pnpm -s run demo "$@"
