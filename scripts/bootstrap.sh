#!/usr/bin/env bash
# From a fresh Debian 12 machine to a forecast: installs the dependencies,
# builds, and runs the main job -- the built-in Union State scenario.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
./build/unionstate run --format table
