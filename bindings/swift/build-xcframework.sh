#!/usr/bin/env bash
# Builds PociFFI.xcframework (static library + headers) for Apple platforms: iOS devices,
# the iOS simulator (arm64, x86_64) and macOS (arm64, x86_64). Needs macOS with Xcode and
# the Rust targets below (`rustup target add ...`). Package.swift links the result.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
targets=(aarch64-apple-ios aarch64-apple-ios-sim x86_64-apple-ios aarch64-apple-darwin x86_64-apple-darwin)
for target in "${targets[@]}"; do
  cargo build --release -p poci-swift --lib --target "$target"
done
lib=libpoci_ffi.a
build="$root/target/xcframework"
rm -rf "$build" "$here/PociFFI.xcframework"
mkdir -p "$build/ios-sim" "$build/macos"
lipo -create target/aarch64-apple-ios-sim/release/$lib target/x86_64-apple-ios/release/$lib \
  -output "$build/ios-sim/$lib"
lipo -create target/aarch64-apple-darwin/release/$lib target/x86_64-apple-darwin/release/$lib \
  -output "$build/macos/$lib"
xcodebuild -create-xcframework \
  -library target/aarch64-apple-ios/release/$lib -headers "$here/Headers" \
  -library "$build/ios-sim/$lib" -headers "$here/Headers" \
  -library "$build/macos/$lib" -headers "$here/Headers" \
  -output "$here/PociFFI.xcframework"
echo "built $here/PociFFI.xcframework"
