#!/usr/bin/env bash
# The Swift checks that run without a Swift toolchain (part of `make test`):
# 1. the checked-in generated sources equal what generate.sh produces now (no drift);
# 2. every conformance vector passes through uniffi's Python bindings of the same crate,
#    i.e. through the exact C ABI the Swift package calls.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$here/generate.sh" "$work/regenerated"
for file in Sources/Poci/Poci.swift Headers/PociFFI.h Headers/module.modulemap; do
  if ! cmp -s "$here/$file" "$work/regenerated/$file"; then
    echo "bindings/swift/$file differs from the generator's output: run bindings/swift/generate.sh" >&2
    exit 1
  fi
done
echo "Swift sources match the generator"
cd "$root"
./target/debug/uniffi-bindgen generate --no-format --library target/debug/libpoci_ffi.so \
  --language python --out-dir "$work/python" >/dev/null
cp target/debug/libpoci_ffi.so "$work/python/"
python3 "$here/check/run_vectors.py" "$work/python"
