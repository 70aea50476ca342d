#!/usr/bin/env bash
# The competitors of `npm run bench -- hosts` (Debian packages, run under /usr/bin/python3). Large (Ansible's
# collections are ~400 MB), so not part of scripts/setup.sh: the hosts bench runs this once. Idempotent.
set -euo pipefail
PACKAGES=(python3-testinfra python3-pytest-xdist python3-paramiko ansible)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "bench: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
