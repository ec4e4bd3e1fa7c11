#!/bin/sh
# Install HAProxy from the distribution's packages unless it is on PATH.
# The multi-node harness (harness.py, tox -e multinode) runs this first.
# Needs root (or passwordless sudo) only when HAProxy is missing.
set -eu

if command -v haproxy >/dev/null 2>&1; then
    haproxy -v | head -n 1
    exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo -n"
else
    echo "install-haproxy.sh: haproxy is not installed and this is not root;" \
         "install it (apt-get install haproxy) and run again" >&2
    exit 69
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-haproxy.sh: haproxy is not installed and apt-get is not" \
         "available; install HAProxy >= 2.2 with your package manager" >&2
    exit 69
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# The package's own service is not wanted: the harness runs haproxy itself.
$SUDO apt-get install -y -qq --no-install-recommends haproxy >/dev/null
haproxy -v | head -n 1
