# PostgreSQL for the tests, without systemd. We run a throwaway cluster of our
# own (tuned for speed) unless a server already listens on 127.0.0.1:5432, e.g.
# a developer's Debian cluster, which we then use as it is (untuned).
# Needs lib/common.sh.

KIZUNA_PG_DEFAULT_URL='postgres://kizuna:kizuna@127.0.0.1:5432/kizuna_test?sslmode=disable'
PG_PORT=5432
PG_DIR="${KIZUNA_PG_DIR:-/tmp/kizuna-pg}" # our cluster: data/, log, socket; wiped freely
PG_DATA="$PG_DIR/data"
PG_MARKER="$PG_DIR/.kizuna-test-cluster" # we only ever delete a dir carrying this

# True unless KIZUNA_TEST_POSTGRES points elsewhere: that server is the
# developer's business, and we neither install nor start anything for it.
pg_managed() { [ "${KIZUNA_TEST_POSTGRES:-$KIZUNA_PG_DEFAULT_URL}" = "$KIZUNA_PG_DEFAULT_URL" ]; }

# Newest installed server's bin dir (Debian keeps them off PATH).
pg_bin_dir() {
	local d best=
	for d in /usr/lib/postgresql/*/bin; do
		if [ -x "$d/initdb" ]; then best=$d; fi
	done
	[ -n "$best" ] && echo "$best"
}

# Run as the cluster's owner: initdb and postgres refuse to run as root.
# cd / so the postgres user isn't left in a directory it can't read.
as_pg() {
	if is_root; then
		(cd / && runuser -u postgres -- "$@")
	else
		"$@"
	fi
}

ensure_postgres() {
	local bin
	bin=$(pg_bin_dir) || die "no PostgreSQL server installed (looked in /usr/lib/postgresql/*/bin)"
	section "starting postgres"
	# The lock keeps two concurrent runs from both running initdb.
	(
		flock -w 300 9 || die "timed out waiting for $PG_DIR.lock"
		pg_start "$bin"
		pg_provision "$bin"
	) 9>>"$PG_DIR.lock"
}

pg_start() {
	local bin=$1
	ADMIN_SOCKET_DIR=$PG_DIR
	# Our server answering on its own socket is the only proof it's up (a pid
	# file can be stale).
	if [ -f "$PG_DATA/PG_VERSION" ] && "$bin/pg_isready" -q -h "$PG_DIR" -p "$PG_PORT"; then
		echo "test cluster already running ($PG_DIR)"
	elif "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"; then
		echo "using the PostgreSQL server already on 127.0.0.1:$PG_PORT"
		ADMIN_SOCKET_DIR=/var/run/postgresql # Debian's default
	elif ! pg_start_ours "$bin"; then
		# A stale pid file, a version upgrade, a half-finished initdb: this
		# cluster holds nothing worth keeping, so start over once.
		warn "recreating the test cluster in $PG_DIR"
		pg_wipe "$bin"
		pg_start_ours "$bin" || die "PostgreSQL did not start (log above)"
	fi

	for _ in $(seq 60); do
		"$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && return 0
		sleep 1
	done
	die "PostgreSQL is not accepting connections on 127.0.0.1:$PG_PORT"
}

# Runs in `if !` context, where set -e is off: every step checks itself.
pg_start_ours() {
	local bin=$1
	if [ ! -f "$PG_DATA/PG_VERSION" ]; then
		echo "creating a test cluster in $PG_DIR"
		pg_init "$bin" || return 1
	fi
	pg_write_conf || return 1
	# 9>&-: the server must not inherit (and so hold forever) the flock fd.
	if as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_DIR/log" -w -t 60 start >/dev/null 9>&-; then
		echo "started the test cluster ($PG_DIR, log in $PG_DIR/log)"
		return 0
	fi
	echo "--- tail of $PG_DIR/log:" >&2
	tail -n 20 "$PG_DIR/log" >&2 || true
	return 1
}

pg_init() {
	local bin=$1
	pg_wipe "$bin" || return 1
	if is_root; then
		install -d -m 700 -o postgres -g postgres "$PG_DIR" || return 1
	else
		install -d -m 700 "$PG_DIR" || return 1
	fi
	as_pg touch "$PG_MARKER" &&
		as_pg "$bin/initdb" -D "$PG_DATA" --no-sync --encoding=UTF8 --locale=C.UTF-8 \
			--auth-local=peer --auth-host=scram-sha-256 >/dev/null &&
		echo "include_if_exists = 'kizuna.conf'" | as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
}

pg_wipe() {
	local bin=$1
	[ -e "$PG_DIR" ] || return 0
	[ -f "$PG_MARKER" ] || die "$PG_DIR exists but is not a Kizuna test cluster; move it or set KIZUNA_PG_DIR"
	as_pg "$bin/pg_ctl" -D "$PG_DATA" -m immediate stop >/dev/null 2>&1 || true
	rm -rf "$PG_DIR"
}

# Rewritten on every start so edits here reach existing clusters.
pg_write_conf() {
	as_pg tee "$PG_DATA/kizuna.conf" >/dev/null <<CONF
# Written by scripts/lib/postgres.sh; edit it there.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_DIR'
timezone = 'UTC'
max_connections = 200  # go test runs packages in parallel, each with its own pool
# A throwaway cluster: trade crash safety for speed.
fsync = off
synchronous_commit = off
full_page_writes = off
wal_level = minimal
max_wal_senders = 0
CONF
}

# Role kizuna/kizuna and database kizuna_test; safe to repeat.
pg_provision() {
	local bin=$1
	as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$ADMIN_SOCKET_DIR" -p "$PG_PORT" -d postgres >/dev/null <<'SQL' ||
DO $$ BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'kizuna') THEN
		CREATE ROLE kizuna;
	END IF;
END $$;
ALTER ROLE kizuna LOGIN CREATEDB PASSWORD 'kizuna';
SELECT 'CREATE DATABASE kizuna_test OWNER kizuna TEMPLATE template0 ENCODING ''UTF8'''
	|| ' LC_COLLATE ''C.UTF-8'' LC_CTYPE ''C.UTF-8'''
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'kizuna_test')
\gexec
SQL
		die "could not create role kizuna / database kizuna_test as the postgres superuser (via $ADMIN_SOCKET_DIR);" \
			"stop whatever holds 127.0.0.1:$PG_PORT, or set KIZUNA_TEST_POSTGRES to a database of your own"

	# Prove the URL the tests will use works: TCP plus password auth.
	"$bin/psql" -X -q -A -t -c 'select 1' "$KIZUNA_PG_DEFAULT_URL" >/dev/null ||
		die "cannot log in with $KIZUNA_PG_DEFAULT_URL (does pg_hba.conf allow scram/md5 from 127.0.0.1?)"
	echo "postgres ready: $KIZUNA_PG_DEFAULT_URL"
}
