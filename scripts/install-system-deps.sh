#!/usr/bin/env bash
# System packages the test suite needs on a fresh Debian machine (run as root):
# - libgdal32: modelw-preset-django imports GDAL bindings through Django's GIS
# - libpq-dev, gcc, python3-dev: the preset depends on psycopg2 built from source
# - postgresql: a real server the tests start themselves (initdb + pg_ctl)
# - chromium: renders the HTML report in a headless browser test
# - git: every test drives real repositories
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
    git gcc python3-dev libpq-dev libgdal32 postgresql chromium >/dev/null
