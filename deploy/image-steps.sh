#!/bin/sh
# The container image's assembly, run by the Dockerfile's build stage AND by
# test/integration/production-image.test.ts, so the test checks the steps the image really runs:
# a clean directory holding package.json, the lockfile, the production dependencies only (no
# TypeScript, tsx, vitest or codegen) and the compiled dist/.
#
# usage: sh deploy/image-steps.sh <checkout with dist/ built> <empty target directory>
set -eu
src=$1
app=$2
if [ ! -f "$src/dist/src/main.js" ]; then
  echo "image-steps: $src/dist/src/main.js is missing: run npm run build first" >&2
  exit 1
fi
mkdir -p "$app"
cp "$src/package.json" "$src/package-lock.json" "$app/"
# --ignore-scripts: no production dependency needs an install script to run.
(cd "$app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
cp -R "$src/dist" "$app/dist"
rm -f "$app/dist/.built"
cp "$src/deploy/healthcheck.js" "$app/healthcheck.js"
