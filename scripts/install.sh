#!/usr/bin/env bash
# Builds the release pexify and installs it as ${PREFIX:-/usr/local}/bin/pexify.
#   scripts/install.sh                  # /usr/local/bin/pexify (may need sudo)
#   PREFIX="$HOME/.local" scripts/install.sh
# Works from any directory; needs a Swift toolchain and zlib headers (zlib1g-dev on Debian).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${PREFIX:-/usr/local}"

cd "$root"
swift build -c release --product pexify
binary="$(swift build -c release --show-bin-path)/pexify"

mkdir -p "$prefix/bin"
install -m 0755 "$binary" "$prefix/bin/pexify"
echo "Installed $prefix/bin/pexify"
case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "Note: $prefix/bin is not on PATH; add it to run 'pexify' by name." ;;
esac
