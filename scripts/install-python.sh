#!/usr/bin/env bash
# Makes `python3 -c "import unionstate"` work for Debian's Python: writes a
# unionstate.pth file naming build/python into its site-packages folder
# (/usr/local/lib/python3.11/dist-packages on Debian 12), so a rebuild needs
# no reinstall. Run after ./scripts/build.sh. Without root (and no sudo) set
# PYTHONPATH=$PWD/build/python instead. Also done for the `python3` first on
# PATH when that is another CPython of the same version (pyenv, say): the
# module imports there too, but its DataFrames need pandas in it.
set -euo pipefail
cd "$(dirname "$0")/.."
package="$PWD/build/python"
if [ ! -f "$package/unionstate/__init__.py" ]; then
  echo "install-python.sh: $package holds no built package; run ./scripts/build.sh first" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
declare -A done_dirs=()
for python in /usr/bin/python3 "$(command -v python3 || true)"; do
  [ -x "$python" ] || continue
  # Only a CPython of the version the extension was built for can load it.
  if ! "$python" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
    echo "install-python.sh: skipping $python (not Python 3.11)" >&2
    continue
  fi
  dir=$("$python" -c 'import site; print(site.getsitepackages()[0])')
  [ -n "${done_dirs[$dir]:-}" ] && continue
  done_dirs[$dir]=1
  $sudo mkdir -p "$dir"
  echo "$package" | $sudo tee "$dir/unionstate.pth" >/dev/null
  echo "unionstate: $python imports the package from $package (via $dir/unionstate.pth)" >&2
done
