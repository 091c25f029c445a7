#!/usr/bin/env bash
# Installs what the demo and the tests need when it is missing: mosquitto and
# its command-line clients, openssl, shellcheck (Debian packages), and the Python peers
# of .ci/requirements.txt. Safe to run again; does nothing when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
command -v mosquitto_pub >/dev/null 2>&1 || missing+=(mosquitto-clients)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing ${missing[*]} (Debian packages)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ -f .ci/requirements.txt ]; then
  python3 -m pip install -q --disable-pip-version-check --root-user-action=ignore -r .ci/requirements.txt
fi
