#!/usr/bin/env bash
# Starts and stops the lock-service this example's build runs its tests against (Maven calls it
# around the integration tests). In a project of yours, lock-service runs on its own (docker compose,
# or `java -jar lock-service.jar` in CI) and the tests find it through PGCORRAL_LOCK_URL.
#
#   lock-service.sh start <port> <lock-service.jar>   returns once every database is free
#   lock-service.sh stop
#
# The pool: 16 databases on one local PostgreSQL server, cloned from a template that holds this
# application's Flyway migrations (so a test's database is ready the moment it is leased).
# Its log is target/lock-service.log.
set -euo pipefail
cd "$(dirname "$0")"
pid_file=target/lock-service.pid
log=target/lock-service.log
databases=16

stop() {
  if [ -f "$pid_file" ]; then
    local pid; pid=$(cat "$pid_file")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    rm -f "$pid_file"
  fi
}

case "${1:-}" in
  start)
    port="$2" jar="$3"
    [ -r "$jar" ] || { echo "$jar is missing: build lock-service first (./mvnw -pl lock-service -am -DskipTests package)" >&2; exit 1; }
    stop # one left from a build that was interrupted
    mkdir -p target
    nohup java -jar "$jar" --logging.level.root=warn \
      --pgcorral.lock.port="$port" --pgcorral.lock.databases-per-instance="$databases" \
      --pgcorral.lock.template.migrations=filesystem:"$PWD/src/main/resources/db/migration" \
      --pgcorral.lock.template.watch-interval=0s > "$log" 2>&1 &
    echo $! > "$pid_file"
    for _ in $(seq 1 600); do
      kill -0 "$(cat "$pid_file")" 2>/dev/null || { cat "$log" >&2; echo "lock-service exited" >&2; exit 1; }
      if curl -fsS "http://127.0.0.1:$port/health-check" 2>/dev/null | grep -q "\"free\":$databases,"; then
        echo "lock-service on port $port, $databases databases" >&2
        exit 0
      fi
      sleep 0.2
    done
    cat "$log" >&2; stop; echo "lock-service did not come up in 120 s" >&2; exit 1 ;;
  stop) stop ;;
  *) echo "use: lock-service.sh start <port> <jar> | stop" >&2; exit 2 ;;
esac
