# Copyright 2026 The fastapi addon authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
#
# Running the addon's tests against another FastAPI, Starlette and pydantic
# than the ones in $VENV. Sourced (after common.sh), never run.
#
# Each such set of packages lives in a virtualenv of its own, layered on
# $VENV: its own site-packages comes first on sys.path, then $VENV's (with
# Odoo and the test tools), so Odoo is never installed twice.

# The packages whose versions a stage varies; the addon's requirements.txt
# bounds them.
FASTAPI_STACK=(fastapi starlette pydantic pydantic-core a2wsgi python-multipart)

venv_site() { "$1/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])'; }

# layer_off DIR / layer_on DIR: pip must not see $VENV's packages (it would
# take them as installed, and install nothing), Python must.
layer_off() { rm -f "$(venv_site "$1")/zz_fastapi_odoo_venv.pth"; }
layer_on() {
    local base
    base=$(venv_site "$VENV")
    # addsitedir, not a plain path: $VENV's own .pth files (Odoo's editable
    # install) must run too.
    echo "import site; site.addsitedir('$base')" > "$(venv_site "$1")/zz_fastapi_odoo_venv.pth"
}

# layered_venv DIR PIP_ARGS...: the virtualenv DIR with PIP_ARGS installed.
# Built once: kept as long as PIP_ARGS (and $VENV's Python) do not change.
# Without $VENV, a plain virtualenv with the unit tests' tools.
layered_venv() {
    local dir=$1 stamp want base_py
    shift
    base_py=python3
    [ -x "$PY" ] && base_py=$("$PY" -c 'import sys; print(sys._base_executable)')
    stamp=$dir/.fastapi-pins
    want="$* | $("$base_py" -c 'import sys; print(sys.version)' | head -n1) | $([ -x "$PY" ] && echo layered)"
    if [ -x "$dir/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
        return 0
    fi
    log "building the virtualenv $dir: $*"
    rm -rf "$dir"
    "$base_py" -m venv "$dir"
    local extra=()
    [ -x "$PY" ] || extra=(pytest httpx)
    if ! "$dir/bin/python" -m pip install -q --disable-pip-version-check "$@" "${extra[@]}" >"$dir.pip.log" 2>&1; then
        cat "$dir.pip.log" >&2
        return 1
    fi
    [ -x "$PY" ] && layer_on "$dir"
    echo "$want" > "$stamp"
}

# upgraded_venv DIR PIP_ARGS...: DIR with the newest releases PIP_ARGS allow.
upgraded_venv() {
    local dir=$1
    shift
    [ -x "$dir/bin/python" ] || layered_venv "$dir" "$@" || return 1
    layer_off "$dir"
    local rc=0
    "$dir/bin/python" -m pip install -q --disable-pip-version-check -U --upgrade-strategy eager "$@" \
        >"$dir.pip.log" 2>&1 || rc=$?
    [ -x "$PY" ] && layer_on "$dir"
    [ "$rc" = 0 ] || cat "$dir.pip.log" >&2
    return "$rc"
}

# stack_versions PYTHON: "fastapi 0.115.0, starlette 0.37.2, ..."
stack_versions() {
    "$1" - "${FASTAPI_STACK[@]}" <<'PY'
import sys
from importlib.metadata import version

print(", ".join(f"{name} {version(name)}" for name in sys.argv[1:]))
PY
}

# baking_state PYTHON: whether app_routes writes overrides into the routes
# with that FastAPI, or leaves routers to FastAPI's include_router.
baking_state() {
    PYTHONPATH=$REPO "$1" -c 'import app_routes
print("baked" if app_routes.route_fields(app_routes.APIRouter.add_api_route) else "NOT baked: FastAPI include_router (slower)")' 2>&1 | tail -n1
}

# run_fastapi_stage PYTHON LABEL: with PYTHON, the unit tests and the smoke stage:
# the addon installed on a fresh database, then tests/standalone/live/test_smoke.py
# on a live Odoo server. Sets stage_passed, stage_failed, stage_skipped; logs in $WORK.
run_fastapi_stage() {
    local py=$1 label=$2 line rc tests=("$REPO/tests/standalone/unit")
    stage_passed=0 stage_failed=0 stage_skipped=0
    mkdir -p "$WORK"
    log "$label: $(stack_versions "$py"); dependency overrides $(baking_state "$py")"
    local db=${FASTAPI_TEST_DB:-fastapi_test}_$label conf=$WORK/odoo-$label.conf
    if [ -z "$(odoo_src)" ]; then
        printf '\n\033[1;33m!!! %s: NO ODOO 19 FOUND, the Odoo smoke stage is SKIPPED\033[0m\n\n' "$label" >&2
    else
        log "$label: installing the addon on a fresh database $db"
        write_odoo_conf "$conf" ",$REPO/tests/addons"
        dropdb -U "$ODOO_DB_USER" --if-exists "$db" 2>/dev/null
        "$py" "$(odoo_src)/odoo-bin" -c "$conf" -d "$db" -i fastapi,fastapi_test_notes --with-demo \
            --stop-after-init --workers 0 --http-port "${FASTAPI_TEST_PORT:-8169}" >"$WORK/$label-install.log" 2>&1
        rc=$?
        # The install is the smoke stage's first test.
        if [ "$rc" = 0 ] && ! grep -qE ' (ERROR|CRITICAL) ' "$WORK/$label-install.log"; then
            _stage_count "1 passed" 0 "$WORK/$label-install.log"
            tests+=("$REPO/tests/standalone/live/test_smoke.py")
        else
            _stage_count "1 failed" "$rc" "$WORK/$label-install.log"
        fi
    fi
    log "$label: unit tests and smoke tests"
    # pytest-odoo, if $VENV has it, wants a database of its own: not here.
    FASTAPI_ODOO_PYTHON=$py FASTAPI_ODOO_BIN="$(odoo_src)/odoo-bin" FASTAPI_ODOO_CONF=$conf FASTAPI_TEST_DB=$db \
        PYTHONPATH="$REPO/tests/standalone" "$py" -m pytest -p addon_as_dirs -p no:odoo -p no:cacheprovider \
        --import-mode=importlib --rootdir "$REPO/tests/standalone" -c /dev/null -q -rfEs "${tests[@]}" \
        >"$WORK/$label-pytest.log" 2>&1
    rc=$?
    line=$(grep -E '^=*\s*[0-9]+ (passed|failed|error).* in [0-9.]+s' "$WORK/$label-pytest.log" | tail -n1)
    _stage_count "$line" "$rc" "$WORK/$label-pytest.log"
    [ -z "$(odoo_src)" ] || dropdb -U "$ODOO_DB_USER" --if-exists "$db"
}

# _stage_count "N passed, N failed..." EXIT_CODE LOG: adds to the stage's counts.
_stage_count() {
    local line=$1 rc=$2 logfile=$3 passed=0 failed=0 skipped=0
    [[ $line =~ ([0-9]+)\ passed ]] && passed=${BASH_REMATCH[1]}
    [[ $line =~ ([0-9]+)\ failed ]] && failed=${BASH_REMATCH[1]}
    [[ $line =~ ([0-9]+)\ error ]] && failed=$((failed + BASH_REMATCH[1]))
    [[ $line =~ ([0-9]+)\ skipped ]] && skipped=${BASH_REMATCH[1]}
    # A run that failed, or counted nothing, without saying which test.
    if { [ "$rc" != 0 ] || [ -z "$line" ] || [ "$passed" = 0 ]; } && [ "$failed" = 0 ]; then
        failed=1
    fi
    if [ "$failed" != 0 ]; then
        grep -E '^(FAILED|ERROR)|ERROR|FAIL:|Error' "$logfile" | head -n 40 >&2
        log "see $logfile"
    fi
    log "$passed passed, $failed failed, $skipped skipped ($(basename "$logfile"))"
    stage_passed=$((stage_passed + passed)) stage_failed=$((stage_failed + failed))
    stage_skipped=$((stage_skipped + skipped))
}
