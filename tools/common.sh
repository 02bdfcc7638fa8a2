# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
#
# Shared settings of the developer scripts. Sourced, never run.
#   ODOO_SRC      an Odoo 19 source tree (needed once, to set the venv up)
#   FASTAPI_VENV  the virtualenv that holds Odoo and the addon's dependencies
#   FASTAPI_DB    the demo database served by tools/serve
#   PGHOST/PGPORT where PostgreSQL listens; ODOO_DB_USER the role Odoo uses

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${FASTAPI_VENV:-$HOME/.venv-odoo19}
PY=$VENV/bin/python
export PGHOST=${PGHOST:-127.0.0.1}
export PGPORT=${PGPORT:-5432}
ODOO_DB_USER=${ODOO_DB_USER:-odoo}
WORK=$REPO/.odoo
# Odoo names an addon after its directory: whatever the clone is called,
# the addons path sees it as "fastapi".
ADDONS_LINK_DIR=$WORK/addons

log() { printf '\033[1m[fastapi]\033[0m %s\n' "$*" >&2; }

odoo_importable() {
    [ -x "$PY" ] && "$PY" -c 'import odoo.release as r; assert r.version_info[0] == 19' 2>/dev/null
}

# The Odoo tree the venv was set up from, or $ODOO_SRC.
odoo_src() {
    if [ -n "${ODOO_SRC:-}" ]; then
        (cd "$ODOO_SRC" && pwd)
    elif odoo_importable; then
        "$PY" -c 'import os, odoo.release as r; print(os.path.dirname(os.path.dirname(os.path.abspath(r.__file__))))'
    fi
}

ensure_postgres() {
    if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
        log "starting PostgreSQL"
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n1)" main start
        for _ in $(seq 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
    fi
    # Odoo refuses to run as "postgres": it gets a role of its own.
    if ! psql -U postgres -d postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='$ODOO_DB_USER'" | grep -q 1; then
        log "creating PostgreSQL role $ODOO_DB_USER"
        psql -q -U postgres -d postgres -c "CREATE ROLE \"$ODOO_DB_USER\" LOGIN SUPERUSER"
    fi
}

# write_odoo_conf [FILE [EXTRA_ADDONS_PATHS]]: an Odoo configuration file.
write_odoo_conf() {
    local src conf=${1:-$WORK/odoo.conf} extra=${2:-}
    src=$(odoo_src)
    mkdir -p "$ADDONS_LINK_DIR" "$WORK/data"
    ln -sfn "$REPO" "$ADDONS_LINK_DIR/fastapi"
    cat > "$conf" <<CONF
[options]
addons_path = $src/addons,$src/odoo/addons,$ADDONS_LINK_DIR$extra
data_dir = $WORK/data
db_host = $PGHOST
db_port = $PGPORT
db_user = $ODOO_DB_USER
http_interface = 127.0.0.1
without_demo = False
CONF
}

# odoo_bin CONF [odoo options]
odoo_bin() {
    local conf=$1
    shift
    "$PY" "$(odoo_src)/odoo-bin" -c "$conf" "$@"
}

db_exists() {
    psql -U "$ODOO_DB_USER" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname='$1'" | grep -q 1
}

# odoo_test_counts LOG EXIT_CODE: "passed failed skipped" of an Odoo test run.
# A run that printed no result, or failed without a failing test, counts as
# one failure.
odoo_test_counts() {
    local testlog=$1 rc=$2 summary passed=0 failed=0 skipped=0
    summary=$(grep -E 'tests when loading database' "$testlog" | tail -n1)
    if [[ $summary =~ ([0-9]+)\ failed,\ ([0-9]+)\ error\(s\)\ of\ ([0-9]+)\ tests ]]; then
        failed=$((BASH_REMATCH[1] + BASH_REMATCH[2]))
        skipped=$(grep -c ' skipped ' "$testlog")
        passed=$((BASH_REMATCH[3] - failed - skipped))
    else
        log "Odoo's test run printed no result (exit code $rc): see $testlog"
        failed=1
    fi
    [ "$rc" = 0 ] || [ "$failed" != 0 ] || failed=1
    echo "$passed $failed $skipped"
}
