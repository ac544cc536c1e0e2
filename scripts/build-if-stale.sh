#!/bin/sh
# Part of `npm start`: compiles when dist/ is missing or older than a source, so a fresh clone's
# `npm ci && npm start` works. The start script then `exec`s node in npm's own shell: the process
# npm spawned IS the gateway, so the SIGTERM npm forwards reaches it and it drains.
set -e
cd "$(dirname "$0")/.."
stamp=dist/.built
if [ ! -f "$stamp" ] ||
  [ -n "$(find src sandbox schema tsconfig.json tsconfig.build.json package.json package-lock.json \
    -newer "$stamp" -print 2>/dev/null | head -n 1)" ]; then
  echo "building dist/ (missing or older than the sources)" >&2
  npm run --silent build >&2
fi
