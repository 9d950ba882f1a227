#!/bin/sh
# Entrypoint of pgcorral-offline/postgres, the image scripts/build-offline-images assembles from the
# machine's installed PostgreSQL. It is a busybox-sh port of the official postgres image's
# docker-entrypoint.sh, keeping the contract that code written for postgres:17 relies on:
#
#   POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE)  superuser password; required unless
#                                                  POSTGRES_HOST_AUTH_METHOD=trust
#   POSTGRES_USER (default postgres)               superuser initdb creates
#   POSTGRES_DB (default $POSTGRES_USER)           database created on first start
#   POSTGRES_INITDB_ARGS                           extra initdb arguments
#   POSTGRES_HOST_AUTH_METHOD (default scram-sha-256)  pg_hba.conf method for TCP connections
#   PGDATA (default /var/lib/postgresql/data)
#   /docker-entrypoint-initdb.d/*.sh, *.sql, *.sql.gz  run once, after the database is created
#
# `docker run IMAGE postgres -c name=value ...` (or just `-c name=value ...`) initialises PGDATA when
# it holds no cluster and then execs postgres as user postgres, as PID 1, so that docker stop's
# SIGINT (the image's STOPSIGNAL) reaches the server directly and triggers a fast shutdown.
# Any other command is exec'ed as given.
#
# Like the official image, a first start runs a temporary server (sockets only) to create the
# database and run the init scripts, so "database system is ready to accept connections" is
# logged twice; Testcontainers' PostgreSQLContainer waits for exactly that.
set -eu

# VAR_FILE support, as in the official image: POSTGRES_PASSWORD_FILE=/run/secrets/pw.
file_env() {
	var="$1" default="${2:-}"
	eval "val=\${$var:-} file=\${${var}_FILE:-}"
	if [ -n "$val" ] && [ -n "$file" ]; then
		echo "error: both $var and ${var}_FILE are set (but are exclusive)" >&2
		exit 1
	fi
	if [ -n "$file" ]; then
		val="$(cat "$file")"
	elif [ -z "$val" ]; then
		val="$default"
	fi
	export "$var=$val"
	unset "${var}_FILE" 2>/dev/null || true
}

# Quotes each argument for sh (pg_ctl hands its -o string to /bin/sh); busybox printf has no %q.
sh_quote() {
	for arg; do
		printf "'%s' " "$(printf '%s' "$arg" | sed "s/'/'\\\\''/g")"
	done
}

# postgres -V, --help, -C name and --describe-config only print something: no initialisation.
wants_no_setup() {
	for arg; do
		case "$arg" in
			-V|--version|-\?|--help|--describe-config|-C) return 0 ;;
		esac
	done
	return 1
}

# Options alone mean "postgres with these options", as in the official image.
if [ "${1#-}" != "$1" ]; then
	set -- postgres "$@"
fi

if [ "$1" != postgres ] || wants_no_setup "$@"; then
	exec "$@"
fi

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

if [ "$(id -u)" = 0 ]; then
	# As root: make the directories postgres needs its own (a --tmpfs or a bind mount arrives owned
	# by root), then run this script again as postgres. Every step is an exec, so postgres ends up
	# as PID 1 and receives docker's stop signal itself.
	mkdir -p "$PGDATA" /var/run/postgresql
	chown -R postgres:postgres "$PGDATA" /var/run/postgresql
	chmod 700 "$PGDATA"
	chmod 3775 /var/run/postgresql
	exec su -s /bin/sh -c 'exec "$0" "$@"' -- postgres "$0" "$@"
fi

# From here on we run as postgres (or as whatever --user the container was given).
mkdir -p "$PGDATA"
chmod 700 "$PGDATA" 2>/dev/null || true

if [ -s "$PGDATA/PG_VERSION" ]; then
	echo
	echo 'PostgreSQL Database directory appears to contain a database; Skipping initialization'
	echo
	exec "$@"
fi

file_env POSTGRES_PASSWORD
file_env POSTGRES_USER postgres
file_env POSTGRES_DB "$POSTGRES_USER"
file_env POSTGRES_INITDB_ARGS
: "${POSTGRES_HOST_AUTH_METHOD:=scram-sha-256}"

if [ -z "$POSTGRES_PASSWORD" ] && [ "$POSTGRES_HOST_AUTH_METHOD" != trust ]; then
	cat >&2 <<-'MSG'
		Error: Database is uninitialized and superuser password is not specified.
		       You must specify POSTGRES_PASSWORD to a non-empty value for the
		       superuser. For example, "-e POSTGRES_PASSWORD=password" on "docker run".

		       You may also use "POSTGRES_HOST_AUTH_METHOD=trust" to allow all
		       connections without a password. This is *not* recommended.
	MSG
	exit 1
fi

# initdb reads the password from a file so that it never appears in a process listing.
pwfile_arg=""
if [ -n "$POSTGRES_PASSWORD" ]; then
	pwfile="$(mktemp)"
	printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
	pwfile_arg="--pwfile=$pwfile"
fi
# Unquoted on purpose: POSTGRES_INITDB_ARGS is a list of words, as in the official image.
# shellcheck disable=SC2086
initdb --username="$POSTGRES_USER" $pwfile_arg \
	--auth-local=trust --auth-host="$POSTGRES_HOST_AUTH_METHOD" $POSTGRES_INITDB_ARGS
if [ -n "$pwfile_arg" ]; then rm -f "$pwfile"; fi

printf '\nhost all all all %s\n' "$POSTGRES_HOST_AUTH_METHOD" >> "$PGDATA/pg_hba.conf"
printf "\nlisten_addresses = '*'\n" >> "$PGDATA/postgresql.conf"

# Temporary server on the Unix socket only, started with the same options as the real one.
export PGPASSWORD="$POSTGRES_PASSWORD"
pg_ctl -D "$PGDATA" -w start \
	-o "$(shift; sh_quote "$@")" \
	-o "-c listen_addresses='' -p ${PGPORT:-5432}"

psql_run() {
	psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password --username "$POSTGRES_USER" "$@"
}

db_exists="$(psql_run --dbname postgres --set db="$POSTGRES_DB" --tuples-only --no-align <<-'SQL'
	SELECT 1 FROM pg_database WHERE datname = :'db';
SQL
)"
if [ -z "$db_exists" ]; then
	psql_run --dbname postgres --set db="$POSTGRES_DB" <<-'SQL'
		CREATE DATABASE :"db";
	SQL
fi

echo
for f in /docker-entrypoint-initdb.d/*; do
	[ -e "$f" ] || continue
	case "$f" in
		*.sh)
			if [ -x "$f" ]; then
				echo "$0: running $f"
				"$f"
			else
				echo "$0: sourcing $f"
				. "$f"
			fi
			;;
		*.sql)    echo "$0: running $f"; psql_run --dbname "$POSTGRES_DB" -f "$f" ;;
		*.sql.gz) echo "$0: running $f"; gunzip -c "$f" | psql_run --dbname "$POSTGRES_DB" ;;
		*)        echo "$0: ignoring $f" ;;
	esac
done

pg_ctl -D "$PGDATA" -m fast -w stop
unset PGPASSWORD

echo
echo 'PostgreSQL init process complete; ready for start up.'
echo
exec "$@"
