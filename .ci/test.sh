#!/usr/bin/env bash
# The test command of the README (`npm test`): a Redis for the tests, then one jest run over
# every package, then the plain summary line `N passed, N failed, N skipped`.
set -euo pipefail
cd "$(dirname "$0")/.."
redis_url="$(bash .ci/ensure-redis.sh)"
if [ -n "$redis_url" ]; then export REDIS_URL="$redis_url"; fi
exec node .ci/run-tests.mjs "$@"
