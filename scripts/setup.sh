#!/usr/bin/env bash
# One-time set-up for a fresh Debian machine: system packages, npm packages, guest images.
# Idempotent and quiet when everything is already there. Used by `npm run demo` and `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(openssh-server openssh-client qemu-system-x86 qemu-utils libxml2-utils busybox-static cpio
  genisoimage cryptsetup-bin cryptsetup debootstrap chromium iproute2 dmidecode pciutils util-linux kmod procps gcc libc6-dev make
  python3 sudo strace)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing system packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Guest images are built and cached by hwqual itself (gitignored under .hwqual-cache/).
if [ -f src/vm/images/build-cli.ts ] && [ "${HWQUAL_SKIP_IMAGES:-}" != 1 ]; then
  node bin/hwqual.mjs images build --quiet
fi
