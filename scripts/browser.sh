#!/usr/bin/env bash
# Debian packages the browser tests use: chromium and CJK fonts (never `playwright install`), and
# zbar-tools, whose zbarimg decodes the 信用码 from a rendered page.
set -euo pipefail
if [ -x /usr/bin/chromium ] && command -v zbarimg >/dev/null && fc-list 2>/dev/null | grep -qi "Noto.*CJK"; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "chromium / fonts-noto-cjk / zbar-tools missing and not root: install them with apt" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk zbar-tools >/dev/null
