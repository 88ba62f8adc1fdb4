#!/usr/bin/env bash
# Build RiskDesk for Linux: PyInstaller onedir -> dist/RiskDesk/, then a tarball
# dist/RiskDesk-<version>-linux-<arch>.tar.xz. Prints the build time and unpacked size, then runs the
# frozen binary's `--self-test --demo` offscreen in a sandbox (benchmarks/frozen_startup.py) and
# prints its start-up time. Exit status is non-zero when the build or the self-test fails.
#
#   packaging/build_linux.sh                 (from anywhere; uses .venv/bin/python if present)
#   PYTHON=/path/to/python packaging/build_linux.sh
#   packaging/build_linux.sh --no-self-test  (build and pack only)
#   packaging/build_linux.sh --require-keyring  (the self-test must find a usable keyring backend)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"
SIZE_TARGET_MIB=150
DOWNLOAD_TARGET_MB=60
self_test=1
check_args=()
for arg in "$@"; do
    case "$arg" in
        --no-self-test) self_test=0 ;;
        --require-keyring) check_args+=(--require-keyring) ;;
        *) echo "build_linux.sh: unknown option $arg" >&2; exit 2 ;;
    esac
done

# strip/readelf (binutils) shrink the host libraries; gcc and icupkg (icu-devtools) rebuild the ICU
# data library with only what Qt uses (packaging/trim_icu.py); xz (xz-utils) packs the tarball.
for tool in strip readelf gcc icupkg xz; do
    command -v "$tool" >/dev/null || {
        echo "build_linux.sh: '$tool' is required (Debian: apt-get install binutils gcc icu-devtools xz-utils)" >&2
        exit 2
    }
done
"$PYTHON" -c "import PyInstaller" 2>/dev/null || "$PYTHON" -m pip install -q "pyinstaller>=6.10,<7"
"$PYTHON" packaging/render_icons.py --check

version="$("$PYTHON" -c "import re,pathlib; print(re.search(r'^__version__\s*=\s*\"([^\"]+)\"', pathlib.Path('desktop_app/__init__.py').read_text(), re.M).group(1))")"
arch="$(uname -m)"
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/riskdesk.spec
build_s=$(( $(date +%s) - start ))

app=dist/RiskDesk
install -m 0644 packaging/riskdesk.desktop "$app/riskdesk.desktop"
install -m 0755 packaging/install-desktop-entry.sh "$app/install-desktop-entry.sh"
tarball="dist/RiskDesk-$version-linux-$arch.tar.xz"
rm -f "$tarball"
# xz -3: 49 MB where gzip -9 gives 61 MB (download target <= 60 MB), in a third of xz -6's time
# (-6 would save 4 MB more). Every tar since 2010 unpacks it with `tar xf`.
tar -C dist -cf - RiskDesk | xz -T0 -3 > "$tarball"

size_b=$(du -sb "$app" | cut -f1)
size_mib=$(( (size_b + 524288) / 1048576 ))
verdict="met"; [ "$size_b" -gt $(( SIZE_TARGET_MIB * 1048576 )) ] && verdict="NOT met"
echo "build time: ${build_s} s"
echo "unpacked size: $(( (size_b + 500000) / 1000000 )) MB = ${size_mib} MiB ($size_b bytes; target <= ${SIZE_TARGET_MIB} MiB: $verdict)"
echo "largest parts:"
du -sb "$app"/_internal/* | sort -rn | head -6 | awk '{ printf "  %6.1f MB  %s\n", $1 / 1e6, $2 }'
tarball_b=$(stat -c %s "$tarball")
verdict="met"; [ "$tarball_b" -gt $(( DOWNLOAD_TARGET_MB * 1000000 )) ] && verdict="NOT met"
echo "tarball: $tarball ($(( (tarball_b + 500000) / 1000000 )) MB; target <= ${DOWNLOAD_TARGET_MB} MB: $verdict)"

if [ "$self_test" = 1 ]; then
    "$PYTHON" benchmarks/frozen_startup.py "$app/RiskDesk" --runs 3 "${check_args[@]}"
fi
