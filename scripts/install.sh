#!/usr/bin/env bash
# Builds the release pexify and installs it as ${PREFIX:-/usr/local}/bin/pexify.
#   scripts/install.sh                  # /usr/local/bin/pexify (may need sudo)
#   PREFIX="$HOME/.local" scripts/install.sh
# Works from any directory; needs a Swift toolchain and zlib headers (zlib1g-dev on Debian).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="${PREFIX:-/usr/local}"

cd "$root"
# The Swift runtime and Foundation linked in: the binary runs where no Swift toolchain is installed, and
# starts in about 10 ms instead of 17 (a warm build of requests: 24 ms instead of 30).
swift build -c release --static-swift-stdlib --product pexify
binary="$(swift build -c release --static-swift-stdlib --show-bin-path)/pexify"

mkdir -p "$prefix/bin"
install -m 0755 "$binary" "$prefix/bin/pexify"
echo "Installed $prefix/bin/pexify"
case ":$PATH:" in
    *":$prefix/bin:"*) ;;
    *) echo "Note: $prefix/bin is not on PATH; add it to run 'pexify' by name." ;;
esac
