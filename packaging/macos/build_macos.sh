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
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"
"$PYTHON" -c "import PyInstaller" 2>/dev/null || "$PYTHON" -m pip install -q "pyinstaller>=6.10"
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
    [ -f "$assets/riskdesk-$double.png" ] && cp "$assets/riskdesk-$double.png" "$iconset/icon_${size}x${size}@2x.png"
done
iconutil -c icns -o build/RiskDesk.icns "$iconset"

# 2. The .app bundle.
start=$(date +%s)
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath dist --workpath build/pyinstaller packaging/riskdesk.spec
app=dist/RiskDesk.app
echo "build time: $(( $(date +%s) - start )) s; unpacked size: $(du -sm "$app" | cut -f1) MiB"
"$PYTHON" benchmarks/frozen_startup.py "$app/Contents/MacOS/RiskDesk" --runs 3

# 3. Signing (hardened runtime, needed for notarisation): only with the maintainer's certificate.
if [ -n "${CODESIGN_IDENTITY:-}" ]; then
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
hdiutil create -volname "RiskDesk $version" -srcfolder "$staging" -ov -format UDZO "$dmg"

if [ -n "${CODESIGN_IDENTITY:-}" ]; then
    codesign --force --timestamp --sign "$CODESIGN_IDENTITY" "$dmg"
    if [ -n "${NOTARY_PROFILE:-}" ]; then
        xcrun notarytool submit "$dmg" --keychain-profile "$NOTARY_PROFILE" --wait
        xcrun stapler staple "$dmg"
        spctl --assess --type open --context context:primary-signature --verbose "$dmg"
    fi
fi
echo "disk image: $dmg"
