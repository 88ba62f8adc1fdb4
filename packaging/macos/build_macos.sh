#!/usr/bin/env bash
# Build RiskDesk for macOS (run on a Mac with Xcode command-line tools):
#   1. RiskDesk.icns from the committed PNGs (iconutil),
#   2. dist/RiskDesk.app with PyInstaller (bundle id app.riskdesk.RiskDesk, version from
#      desktop_app/__init__.py), then a self-test of the frozen app,
#   3. optional signing + notarisation when the maintainer's credentials are configured,
#   4. dist/RiskDesk-<version>-macos-<arch>.dmg (drag to Applications).
#
#   packaging/macos/build_macos.sh
#   CODESIGN_IDENTITY="Developer ID Application: Name (TEAMID)" NOTARY_PROFILE=riskdesk-notary \
#       packaging/macos/build_macos.sh
# NOTARY_PROFILE is a keychain profile made once with:
#   xcrun notarytool store-credentials riskdesk-notary --apple-id ID --team-id TEAMID --password APP-PASSWORD
# On a build server without that profile, set NOTARY_APPLE_ID, NOTARY_TEAM_ID and NOTARY_PASSWORD
# (an app-specific password) instead. REQUIRE_KEYRING=1 makes the self-test fail unless the login
# keychain stores, reads back and deletes a throw-away secret.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"
SIZE_TARGET_MB=60
for tool in iconutil hdiutil codesign; do
    command -v "$tool" >/dev/null || { echo "build_macos.sh: '$tool' is required (Xcode command-line tools)" >&2; exit 2; }
done
"$PYTHON" -c "import PyInstaller" 2>/dev/null || "$PYTHON" -m pip install -q "pyinstaller>=6.10,<7"
"$PYTHON" packaging/render_icons.py --check

version="$("$PYTHON" -c "import re,pathlib; print(re.search(r'^__version__\s*=\s*\"([^\"]+)\"', pathlib.Path('desktop_app/__init__.py').read_text(), re.M).group(1))")"
arch="$(uname -m)"
assets=desktop_app/assets

# 1. Icon: an .iconset folder with the names iconutil expects (NxN and NxN@2x), then .icns.
iconset=build/RiskDesk.iconset
rm -rf "$iconset" && mkdir -p "$iconset"
for size in 16 32 128 256 512; do
    cp "$assets/riskdesk-$size.png" "$iconset/icon_${size}x${size}.png"
    double=$(( size * 2 ))
    # There is no 1024 px PNG: 512@2x is left out, and iconutil accepts a set without it.
    if [ -f "$assets/riskdesk-$double.png" ]; then
        cp "$assets/riskdesk-$double.png" "$iconset/icon_${size}x${size}@2x.png"
    fi
done
iconutil -c icns -o build/RiskDesk.icns "$iconset"

# 2. The .app bundle.
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/riskdesk.spec
app=dist/RiskDesk.app
[ -x "$app/Contents/MacOS/RiskDesk" ] || { echo "build_macos.sh: PyInstaller did not produce $app" >&2; exit 1; }
echo "build time: $(( $(date +%s) - start )) s; unpacked size: $(du -sm "$app" | cut -f1) MiB (target <= 150 MiB)"
check_args=(--runs 3)
[ "${REQUIRE_KEYRING:-0}" = 1 ] && check_args+=(--require-keyring)
"$PYTHON" benchmarks/frozen_startup.py "$app/Contents/MacOS/RiskDesk" "${check_args[@]}"

# 3. Signing (hardened runtime, needed for notarisation): only with the maintainer's certificate.
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    # --deep signs the libraries inside the bundle with the same identity and hardened runtime;
    # PyInstaller 6 lays the bundle out (code in Frameworks/, data in Resources/) so that works.
    codesign --force --deep --options runtime --timestamp \
        --entitlements packaging/macos/entitlements.plist --sign "$CODESIGN_IDENTITY" "$app"
    codesign --verify --deep --strict --verbose=2 "$app"
fi

# 4. The disk image: the app next to a link to /Applications.
dmg="dist/RiskDesk-$version-macos-$arch.dmg"
staging=build/dmg
rm -rf "$staging" "$dmg" && mkdir -p "$staging"
cp -R "$app" "$staging/"
ln -s /Applications "$staging/Applications"
# ULMO (LZMA) is ~25 % smaller than UDZO and opens on macOS 10.15+ (the app needs 11). hdiutil
# sometimes fails with "Resource busy" right after a build (Spotlight indexing): try again.
for attempt in 1 2 3; do
    hdiutil create -volname "RiskDesk $version" -srcfolder "$staging" -ov -format ULMO "$dmg" && break
    [ "$attempt" = 3 ] && { echo "build_macos.sh: hdiutil create failed" >&2; exit 1; }
    sleep 5
done

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$dmg"
    notary=()
    if [ -n "${NOTARY_PROFILE:-}" ]; then
        notary=(--keychain-profile "$NOTARY_PROFILE")
    elif [ -n "${NOTARY_APPLE_ID:-}" ]; then
        notary=(--apple-id "$NOTARY_APPLE_ID" --team-id "$NOTARY_TEAM_ID" --password "$NOTARY_PASSWORD")
    fi
    if [ "${#notary[@]}" -gt 0 ]; then
        xcrun notarytool submit "$dmg" "${notary[@]}" --wait
        xcrun stapler staple "$dmg"
        spctl --assess --type open --context context:primary-signature --verbose "$dmg"
    fi
fi
dmg_b=$(stat -f %z "$dmg")
dmg_mb=$(( (dmg_b + 500000) / 1000000 ))
verdict="met"; [ "$dmg_mb" -gt "$SIZE_TARGET_MB" ] && verdict="NOT met"
echo "disk image: $dmg ($dmg_mb MB; target <= $SIZE_TARGET_MB MB: $verdict)"
