#!/usr/bin/env bash
# Installs the Debian packages Pano's tests need, only when they are missing.
# Chromium drives the kiosk-page tests (Playwright with executable_path=/usr/bin/chromium;
# no browser is ever downloaded). fonts-noto-core has Noto Sans and Noto Sans Lao for
# Vietnamese and Lao slides; libfribidi0 lets Pillow's raqm layout shape complex scripts.
# libicu-dev and pkg-config let pip build PyICU (Unicode line breaking, Lao words).
# ffmpeg gives ffprobe (video duration and size); libzbar0 decodes QR codes in tests.
# The panel's E2E tests also drive Chromium (desktop and tablet windows).
# WeasyPrint (the yearly report's PDF) lays text out through Pango and HarfBuzz.
set -euo pipefail
packages=(chromium fonts-noto-core libfribidi0 ffmpeg libzbar0
          libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0)
# npm fetches the web panel's two browser libraries (package.json); skipped when a Node.js
# npm is already on the PATH (e.g. from nodesource), since Debian's npm would conflict.
command -v npm >/dev/null || packages+=(nodejs npm)
# With arguments, only those packages (`make install` asks for just nodejs npm).
[ $# -gt 0 ] && packages=("$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if ! command -v apt-get >/dev/null; then
  echo "apt-get not found: install ${missing[*]} with your system's package manager." >&2
  exit 1
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
