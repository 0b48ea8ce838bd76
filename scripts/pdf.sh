#!/usr/bin/env bash
# Debian packages the credit reports use: fonts-wqy-microhei (the TrueType CJK font reportlab
# embeds as a subset; reportlab cannot embed Noto CJK's CFF outlines), and poppler-utils, whose
# pdftoppm renders a report page for the tests (poppler-data shows CID Chinese).
set -euo pipefail
FONT=/usr/share/fonts/truetype/wqy/wqy-microhei.ttc
if [ -f "$FONT" ] && command -v pdftoppm >/dev/null && [ -d /usr/share/poppler/cMap ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "fonts-wqy-microhei / poppler-utils / poppler-data missing and not root: install them with apt" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei poppler-utils poppler-data >/dev/null
