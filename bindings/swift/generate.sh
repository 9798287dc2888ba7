#!/usr/bin/env bash
# Regenerates the Swift sources of the package from the built library (uniffi, library mode):
#   bindings/swift/Sources/Poci/Poci.swift       the Swift API
#   bindings/swift/Headers/PociFFI.h             the C header of the FFI layer
#   bindings/swift/Headers/module.modulemap      its module map (for the XCFramework)
# Usage: generate.sh [OUT_DIR]  (default: this folder; `make test` passes a temporary
# folder and compares). Output is deterministic: no formatter is run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${1:-$here}"
cd "$root"
cargo build --quiet -p poci-swift --lib --bin uniffi-bindgen
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
./target/debug/uniffi-bindgen generate --no-format --library target/debug/libpoci_ffi.so \
  --language swift --out-dir "$work" >/dev/null
mkdir -p "$out/Sources/Poci" "$out/Headers"
cp "$work/Poci.swift" "$out/Sources/Poci/Poci.swift"
cp "$work/PociFFI.h" "$out/Headers/PociFFI.h"
cp "$work/PociFFI.modulemap" "$out/Headers/module.modulemap"
