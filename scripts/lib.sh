# Shared by scripts/serve and scripts/test: installs what Xuncha needs on a fresh Debian machine.
# shellcheck shell=bash

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

# Install Debian packages that are not installed yet (no-op when all are present).
ensure_debian_packages() {
    local missing=()
    for package in "$@"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "==> installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# A virtualenv in .venv with the project (and extras, e.g. "test") installed in editable mode.
ensure_python_env() {
    local extras="$1"
    local python="${PYTHON:-python3}"
    if [ ! -x .venv/bin/python ]; then
        "$python" -m venv .venv 2>/dev/null || {
            ensure_debian_packages python3-venv
            "$python" -m venv .venv
        }
    fi
    echo "==> installing Python packages (pyproject.toml${extras:+ [$extras]})"
    .venv/bin/pip install -q --disable-pip-version-check --upgrade pip
    .venv/bin/pip install -q --disable-pip-version-check -e ".${extras:+[$extras]}"
}

postgres_reachable() {
    .venv/bin/python - "$1" <<'PY' 2>/dev/null
import sys, sqlalchemy as sa
sa.create_engine(sys.argv[1]).connect().close()
PY
}

# The tests need a PostgreSQL at XUNCHA_TEST_PG_URL (default: postgres@127.0.0.1:5432/test,
# trust auth), as the project's machines provide. On a machine without one, install Debian's,
# allow trust auth on loopback and create the `test` database.
ensure_postgres() {
    local url="${XUNCHA_TEST_PG_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"
    postgres_reachable "$url" && return 0
    echo "==> PostgreSQL not reachable; installing / starting Debian's"
    ensure_debian_packages postgresql
    local version
    version=$(ls /etc/postgresql | sort -V | tail -1)
    local hba="/etc/postgresql/$version/main/pg_hba.conf"
    if ! grep -q "xuncha-tests" "$hba"; then
        # Loopback-only trust for the test suite, as on the project's own machines.
        sed -i "1i host all all 127.0.0.1/32 trust # xuncha-tests\nhost all all ::1/128 trust # xuncha-tests" "$hba"
    fi
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null \
        || pg_ctlcluster --skip-systemctl-redirect "$version" main reload
    for _ in $(seq 1 30); do
        su postgres -c "psql -qtc 'select 1'" >/dev/null 2>&1 && break
        sleep 1
    done
    su postgres -c "psql -qtc \"select 1 from pg_database where datname='test'\"" | grep -q 1 \
        || su postgres -c "createdb test"
    postgres_reachable "$url"
}

# The field PWA (pwa/): Node packages from package-lock.json, then `npm run build` into
# pwa/dist, which server/web serves at /. Installs Debian's nodejs/npm only when node is missing
# (Vite needs Node ≥ 20.19). Installs again only when the lockfile changed. `npm install`, not
# `npm ci`: the registry these machines use lacks rollup's binaries for other platforms, so the
# lockfile cannot list them and `npm ci` refuses it; `npm install` keeps the locked versions
# and leaves the lockfile unchanged.
ensure_pwa_built() {
    command -v npm >/dev/null 2>&1 || ensure_debian_packages nodejs npm
    local stamp="pwa/node_modules/.lock-installed"
    if [ ! -f "$stamp" ] || ! cmp -s pwa/package-lock.json "$stamp"; then
        echo "==> installing the PWA's Node packages (pwa/package-lock.json)"
        (cd pwa && npm install --no-audit --no-fund --loglevel=error)
        cp pwa/package-lock.json "$stamp"
    fi
    echo "==> building the PWA (pwa/dist)"
    (cd pwa && npm run --silent build >/dev/null)
}

# The PWA's unit tests (pwa/test/, Node's own test runner): its pure modules, and the case tables
# in tests/cases/ that the server's tests read too. Needs the Node packages ensure_pwa_built installs.
run_pwa_unit_tests() {
    echo "==> PWA unit tests (node --test)"
    (cd pwa && npm test --silent)
}

# Browser tests: Debian's Chromium (Playwright cannot download its own browser here) and
# Playwright for Python.
ensure_browser_test_env() {
    ensure_debian_packages chromium fonts-noto-cjk
    .venv/bin/pip install -q --disable-pip-version-check -r tests/browser/requirements.txt
}
