#!/usr/bin/env bash
# Checks the type stubs (python/poci/_poci.pyi, and __init__.py's own annotations) against
# the compiled module with mypy's stubtest, in a Python where the poci wheel is installed:
#   PYTHON=.venv/bin/python bash bindings/python/check_stubs.sh
# Needs the pip package `mypy` in that Python. No allowlist: every difference is an error.
set -euo pipefail
python="${PYTHON:-python3}"
case "$python" in
  */*) python="$(cd "$(dirname "$python")" && pwd)/$(basename "$python")" ;;
esac
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# From an empty folder: the installed package is checked, not a source tree.
cd "$work"
"$python" -m mypy.stubtest poci
