# Shared set-up for scripts/run and scripts/test. Sourced, not executed.
# Idempotent: a second run with nothing changed only checks and returns.
#   fieldkit_setup [run|test]
set -euo pipefail

FIELDKIT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="$FIELDKIT_ROOT/.venv"

say() { printf '[fieldkit] %s\n' "$*" >&2; }

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
        [ -n "$candidate" ] || continue
        if command -v "$candidate" >/dev/null 2>&1 &&
            "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    say "Cần Python 3.11 trở lên / Python 3.11 or newer is required (set PYTHON=/path/to/python3.11)."
    return 1
}

# Debian/Ubuntu packages the app needs at run time (zbar for pyzbar, the libraries Qt links against).
system_packages() {
    local profile="$1"
    local pkgs="libzbar0 libgl1 libegl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3 fonts-dejavu-core"
    if [ "$profile" = run ]; then
        # Qt's xcb platform plugin, needed to show a real window.
        pkgs="$pkgs libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
              libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1"
    fi
    echo $pkgs
}

ensure_system_packages() {
    local profile="$1" missing=() pkg
    if ! command -v dpkg-query >/dev/null 2>&1; then
        return 0  # not Debian/Ubuntu: the README lists what to install by hand
    fi
    for pkg in $(system_packages "$profile"); do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        say "Installing system packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
            apt-get update -q >/dev/null 2>&1
            apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
        }
    else
        say "Thiếu gói hệ thống / missing system packages: ${missing[*]}"
        say "Hãy cài bằng lệnh / install them with:  sudo apt-get install ${missing[*]}"
        return 1
    fi
}

ensure_venv() {
    local python stamp_file stamp
    if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' 2>/dev/null; then
        python="$(find_python)"
        say "Creating $VENV with $python"
        rm -rf "$VENV"
        "$python" -m venv "$VENV"
    fi
    stamp_file="$VENV/.fieldkit-installed"
    stamp="$(cat "$FIELDKIT_ROOT/pyproject.toml" | "$VENV/bin/python" -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
    if [ "$(cat "$stamp_file" 2>/dev/null)" != "$stamp" ]; then
        say "Installing FieldKit and its Python dependencies into .venv"
        "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
        "$VENV/bin/python" -m pip install -q -e "$FIELDKIT_ROOT[dev]"
        echo "$stamp" >"$stamp_file"
    fi
}

fieldkit_setup() {
    local profile="${1:-run}"
    ensure_system_packages "$profile"
    ensure_venv
}
