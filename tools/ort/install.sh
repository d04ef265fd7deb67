#!/bin/sh
# install.sh [DIR] — installs the pinned onnxruntime-node (package.json beside
# this script) into DIR (default build/ort), without running its install
# scripts: the CPU build ships inside the package. Prints DIR on success.
# Exit status 2 when npm is missing, 1 when the install fails.
set -e
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-build/ort}
if [ -f "$dir/node_modules/onnxruntime-node/package.json" ] &&
   cmp -s "$here/package.json" "$dir/package.json"; then
    echo "$dir"
    exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "npm not found" >&2; exit 2; }
command -v node >/dev/null 2>&1 || { echo "node not found" >&2; exit 2; }
mkdir -p "$dir"
cp "$here/package.json" "$dir/package.json"
(cd "$dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2) || exit 1
echo "$dir"
