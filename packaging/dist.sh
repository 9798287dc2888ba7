#!/usr/bin/env bash
# `make dist`: every artifact a user installs, built into dist/ the way each ecosystem
# publishes it.
#   crates   poci, poci-folder, poci-cli: `cargo package` with verification (each packaged
#            crate builds on its own, against the others as packaged)
#   python   an abi3 manylinux wheel and an sdist of `poci-network` (import name `poci`)
#   node     the npm package `poci` and its linux-x64 platform package, laid out the
#            napi-rs way (the addon lives in `poci-linux-x64-gnu`, an optional dependency)
# packaging/test-artifacts.sh installs them in clean places and runs them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dist="$root/dist"
rm -rf "$dist"
mkdir -p "$dist"
# Dependencies built with optimisation, as in the workspace's dev profile (tests of the
# packaged crate run property tests and ECDSA); the artifact tests reuse this build.
opt_deps=(--config 'profile.dev.package."*".opt-level=2')

echo "== crates"
cargo package --locked --allow-dirty "${opt_deps[@]}" -p poci -p poci-folder -p poci-cli
cp target/package/poci-0.1.0.crate target/package/poci-folder-0.1.0.crate \
  target/package/poci-cli-0.1.0.crate "$dist/"

echo "== python wheel and sdist"
build_venv="$root/target/dist-venv"
if [ ! -x "$build_venv/bin/maturin" ]; then
  python3 -m venv "$build_venv"
  "$build_venv/bin/python" -m pip install --quiet --upgrade pip
  "$build_venv/bin/python" -m pip install --quiet 'maturin>=1.9,<2'
fi
"$build_venv/bin/maturin" build --quiet --release --locked -m bindings/python/Cargo.toml --out "$dist"
"$build_venv/bin/maturin" sdist -m bindings/python/Cargo.toml --out "$dist"

echo "== npm packages"
(cd bindings/node && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
stage="$root/target/npm-stage"
rm -rf "$stage"
mkdir -p "$stage"
cp bindings/node/package.json bindings/node/index.js bindings/node/index.d.ts \
  bindings/node/README.md "$stage/"
cp -L bindings/node/LICENSE-APACHE bindings/node/LICENSE-MIT "$stage/"
node packaging/npm-platform.mjs "$stage" bindings/node/poci.linux-x64-gnu.node
(cd "$stage/npm/linux-x64-gnu" && npm pack --silent --pack-destination "$dist" >/dev/null)
(cd "$stage" && npm pack --silent --pack-destination "$dist" >/dev/null)

# The embedded trust material must travel inside the crate and the sdist (as files, not
# as the links of the repository).
for archive in "$dist/poci-0.1.0.crate" "$dist/poci_network-0.1.0.tar.gz"; do
  # The whole listing first: `grep -q` stopping early would fail tar with SIGPIPE.
  listing="$(tar tzf "$archive")"
  if ! grep -q '/vendor-roots/nvidia/manifest.toml$' <<< "$listing"; then
    echo "$archive: no vendor-roots/ inside" >&2
    exit 1
  fi
done

echo "== dist/"
ls -l "$dist"
