#!/usr/bin/env bash
# Installs the Debian packages Pano's tests need, only when they are missing.
# Chromium drives the kiosk-page tests (Playwright with executable_path=/usr/bin/chromium;
# no browser is ever downloaded). Fonts give Vietnamese and Lao glyphs.
set -euo pipefail
packages=(chromium fonts-noto-core)
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
