#!/usr/bin/env bash
# Adds RiskDesk to the current user's application menu (no root needed). Run it from the unpacked
# tarball: ./install-desktop-entry.sh   (./install-desktop-entry.sh --remove undoes it)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="${XDG_DATA_HOME:-$HOME/.local/share}"
sizes="16 24 32 48 64 128 256 512"

if [ "${1:-}" = "--remove" ]; then
    rm -f "$data/applications/riskdesk.desktop"
    for size in $sizes; do rm -f "$data/icons/hicolor/${size}x${size}/apps/riskdesk.png"; done
    rm -f "$data/icons/hicolor/scalable/apps/riskdesk.svg"
    echo "RiskDesk menu entry removed."
    exit 0
fi

icons="$here/_internal/desktop_app/assets"
for size in $sizes; do
    install -D -m 0644 "$icons/riskdesk-$size.png" "$data/icons/hicolor/${size}x${size}/apps/riskdesk.png"
done
install -D -m 0644 "$icons/riskdesk.svg" "$data/icons/hicolor/scalable/apps/riskdesk.svg"
# Exec needs an absolute path: the tarball can be unpacked anywhere.
sed "s|^Exec=.*|Exec=\"$here/RiskDesk\"|" "$here/riskdesk.desktop" > "$here/.riskdesk.desktop.tmp"
install -D -m 0644 "$here/.riskdesk.desktop.tmp" "$data/applications/riskdesk.desktop"
rm -f "$here/.riskdesk.desktop.tmp"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "RiskDesk added to the application menu (launcher: $here/RiskDesk)."
