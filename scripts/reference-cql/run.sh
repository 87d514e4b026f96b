#!/usr/bin/env bash
# Run the reference CQL built by build.sh on a program and print every instance: per entity its
# rows (named by the reference's normal forms), attribute values and foreign-key targets, sorted.
#   scripts/reference-cql/run.sh FILE.cql [OUT_DIR]
set -euo pipefail
out="${2:-/tmp/cqlref}"
tmp="$(mktemp --suffix .cql)"
trap 'rm -f "$tmp"' EXIT
# The reference's command-line parser does not take `//` comments.
sed -e 's#//.*$##' "$1" > "$tmp"
CQL_NO_JS=1 timeout 300 java -cp "$out/out:$out/lib/*" catdata.cql.RunDump "$tmp"
