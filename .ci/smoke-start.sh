#!/usr/bin/env bash
# Smoke test of the README's first command: `npm start` starts the service on embedded PGlite with --demo. Waits for
# the `listening on` line, calls /health and a margin route with the printed admin key, then stops the server with
# SIGTERM (it drains and exits 0) and fails if any step does not.
set -euo pipefail
data="$(mktemp -d)"
out="$(mktemp)"
# setsid: the server and npm in their own process group, stopped together below.
setsid npm start --silent -- --port 0 --data "$data" --demo-accounts 50 >"$out" 2>/tmp/netrisk-ci-serve.log &
pid=$!
cleanup() { kill -TERM -- "-$pid" 2>/dev/null || true; rm -rf "$data" "$out"; }
trap cleanup EXIT
url=""
for _ in $(seq 1 600); do
  url="$(sed -n 's/^listening on //p' "$out" | head -n 1)"
  [ -n "$url" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$out" /tmp/netrisk-ci-serve.log >&2; echo "ci: npm start exited before listening" >&2; exit 1; }
  sleep 0.2
done
[ -n "$url" ] || { echo "ci: npm start printed no listening line within 120 s" >&2; exit 1; }
# The admin key line follows the listening line; wait for it too (bounded).
key=""
for _ in $(seq 1 50); do
  key="$(sed -n 's/^admin key (shown once): //p' "$out")"
  [ -n "$key" ] && break
  sleep 0.2
done
[ -n "$key" ] || { cat "$out" >&2; echo "ci: npm start printed no admin key line" >&2; exit 1; }
[ "$(curl -fsS "$url/health")" = '{"status":"ok"}' ] || { echo "ci: /health did not answer ok" >&2; exit 1; }
curl -fsS -H "Authorization: Bearer $key" "$url/v1/accounts/demo-0001" | grep -q '"initialMarginUsd"' || { echo "ci: GET /v1/accounts/demo-0001 gave no margin" >&2; exit 1; }
curl -fsS "$url/" | grep -q '<div id="app">' || { echo "ci: / did not serve the dashboard" >&2; exit 1; }
head -n 3 "$out"; echo
# SIGTERM to the server process itself (npm only relays): it drains, closes the store and exits 0.
node_pid="$(pgrep -g "$pid" -f '^node dist/cli/main.js serve' | head -n 1)"
kill -TERM "$node_pid"
wait "$pid" || { echo "ci: the server did not exit cleanly on SIGTERM" >&2; cat /tmp/netrisk-ci-serve.log >&2; exit 1; }
grep -q "draining requests" /tmp/netrisk-ci-serve.log || { echo "ci: no drain on SIGTERM" >&2; exit 1; }
trap - EXIT
rm -rf "$data" "$out"
echo "ci: npm start smoke test passed ($url)"
