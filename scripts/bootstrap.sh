#!/usr/bin/env bash
# From a fresh Debian 12 machine to a forecast: installs the dependencies,
# builds, makes the Python module importable (scripts/install-python.sh), and
# runs the main job -- the built-in Union State scenario.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
./scripts/install-python.sh
./build/unionstate run --format table
