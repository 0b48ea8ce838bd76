#!/usr/bin/env bash
# The Spark engine's test dependencies: pyspark (requirements/spark.txt) and a Java 17 runtime
# (Debian openjdk-17-jre-headless). `make test` runs this; `make run` never does.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/pip install -q --disable-pip-version-check --require-hashes -r requirements/spark.txt
if command -v java >/dev/null; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "Java 17 missing and not root: apt-get install openjdk-17-jre-headless" >&2; exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless >/dev/null
