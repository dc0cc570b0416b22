#!/usr/bin/env bash
# Make sure PostgreSQL, MariaDB and Redis answer on 127.0.0.1; start any that is down.
set -uo pipefail

answers() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

wait_for() {  # name port
  for _ in $(seq 1 60); do answers "$2" && return 0; sleep 0.5; done
  echo "$1 does not answer on 127.0.0.1:$2" >&2
  return 1
}

if ! answers 5432; then
  echo "starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start
fi
if ! answers 3306; then
  echo "starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
fi
if ! answers 6379; then
  echo "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
fi
wait_for PostgreSQL 5432 && wait_for MariaDB 3306 && wait_for Redis 6379
