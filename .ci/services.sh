#!/usr/bin/env bash
# Sourced by .ci/run: makes sure every component the test suite needs is installed and running on this machine,
# and fails with one clear line when it cannot. Afterwards NETRISK_REQUIRE_ALL=1 turns every "skipping" notice of
# the suite (test/global-setup.ts) into a failure, so CI runs every test.

ci_fail() { echo "ci: $*" >&2; exit 1; }

apt_install() {
  command -v apt-get >/dev/null || ci_fail "apt-get not found; cannot install $*"
  echo "ci: installing $* (Debian packages)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/tmp/netrisk-ci-apt.log 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >/tmp/netrisk-ci-apt.log 2>&1; } \
    || ci_fail "could not install $* (see /tmp/netrisk-ci-apt.log)"
}

tcp_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_tcp() { # host port seconds
  for _ in $(seq 1 $(( $3 * 10 ))); do tcp_open "$1" "$2" && return 0; sleep 0.1; done
  return 1
}

# PostgreSQL at 127.0.0.1:5432 (trust auth), and a scratch database for the suite.
if ! tcp_open 127.0.0.1 5432; then
  command -v pg_ctlcluster >/dev/null || apt_install postgresql
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start >/dev/null 2>&1 || true
  wait_tcp 127.0.0.1 5432 20 || ci_fail "PostgreSQL is not accepting connections on 127.0.0.1:5432"
fi
psql -h 127.0.0.1 -U postgres -d postgres -qtAc "DROP DATABASE IF EXISTS netrisk_ci" >/dev/null \
  && psql -h 127.0.0.1 -U postgres -d postgres -qtAc "CREATE DATABASE netrisk_ci" >/dev/null \
  || ci_fail "could not create the scratch database netrisk_ci on 127.0.0.1:5432 as postgres"
export NETRISK_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/netrisk_ci"

# NATS with JetStream at 127.0.0.1:4222; the failure tests start their own nats-server from the same binary.
command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || apt_install nats-server
if ! tcp_open 127.0.0.1 4222; then
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_tcp 127.0.0.1 4222 20 || ci_fail "NATS is not accepting connections on 127.0.0.1:4222"
fi
export NETRISK_TEST_NATS_URL="nats://127.0.0.1:4222"

# Chromium for the browser tests (Debian's package; never a downloaded browser).
[ -x /usr/bin/chromium ] || apt_install chromium chromium-driver
[ -x /usr/bin/chromium ] || ci_fail "Chromium is not at /usr/bin/chromium after installing it"

export NETRISK_REQUIRE_ALL=1
echo "ci: PostgreSQL, NATS (JetStream), nats-server, Chromium ready; missing components now fail the suite"
