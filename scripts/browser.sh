#!/usr/bin/env bash
# Make sure Debian chromium and CJK fonts are present for the browser tests (never `playwright install`).
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -qi "Noto.*CJK"; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "chromium / fonts-noto-cjk missing and not root: install them with apt" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
