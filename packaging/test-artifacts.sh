#!/usr/bin/env bash
# Part of `make test`: installs what `make dist` built the way a user would, each in a clean
# place outside the repository, and runs it there.
#   crate    the packaged `poci` is extracted from its .crate and its own tests run there;
#            a scratch cargo project depends on it (as `poci = "0.1.0"`, patched to the
#            packaged crate since nothing is published) and runs the README's Rust snippets
#   python   a fresh venv, `pip install poci-network` from dist/ (no index): the miner
#            example, the test suite with every conformance vector, the stubs (stubtest)
#   node     an empty npm project, `npm install poci` from a local registry serving dist/:
#            the wallet example and every conformance vector
# Python and Node run with no Rust toolchain on PATH. Then every snippet of the READMEs
# runs in these environments (packaging/readme_snippets.py).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dist="$root/dist"
work="$(mktemp -d "${TMPDIR:-/tmp}/poci-artifacts.XXXXXX")"
registry_pid=""
cleanup() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
for artifact in poci-0.1.0.crate poci-folder-0.1.0.crate poci-cli-0.1.0.crate poci-0.1.0.tgz \
  poci-linux-x64-gnu-0.1.0.tgz poci_network-0.1.0.tar.gz; do
  [ -f "$dist/$artifact" ] || { echo "dist/$artifact missing: run make dist" >&2; exit 1; }
done
wheel="$(ls "$dist"/poci_network-0.1.0-cp39-abi3-manylinux*_x86_64.whl)"
echo "wheel: $(basename "$wheel")"

# PATH without any directory that holds a Rust toolchain.
no_rust_path=""
IFS=: read -r -a path_dirs <<< "$PATH"
for dir in "${path_dirs[@]}"; do
  if [ -e "$dir/cargo" ] || [ -e "$dir/rustc" ] || [ -e "$dir/rustup" ]; then continue; fi
  no_rust_path="${no_rust_path:+$no_rust_path:}$dir"
done
if env PATH="$no_rust_path" sh -c 'command -v cargo || command -v rustc' >/dev/null; then
  echo "a Rust toolchain is still on the reduced PATH" >&2
  exit 1
fi
no_rust() { env PATH="$no_rust_path" CARGO_HOME=/nonexistent RUSTUP_HOME=/nonexistent "$@"; }

echo "== crate: the packaged poci's own tests, from its .crate"
mkdir -p "$work/crates"
for crate in "$dist"/*.crate; do tar xzf "$crate" -C "$work/crates"; done
# The build of `cargo package`'s verification (same profile) is reused.
opt_deps=(--config 'profile.dev.package."*".opt-level=2')
CARGO_TARGET_DIR="$root/target/package/tmp-crate" \
  cargo test --quiet --locked --all-features "${opt_deps[@]}" \
  --manifest-path "$work/crates/poci-0.1.0/Cargo.toml"

echo "== python: the wheel in a fresh venv, no Rust on PATH"
no_rust python3 -m venv "$work/venv"
no_rust "$work/venv/bin/python" -m pip install --quiet --upgrade pip
no_rust "$work/venv/bin/python" -m pip install --quiet pytest 'mypy>=1.10'
# As a user would, by name; dist/ stands in for PyPI.
no_rust env PIP_NO_INDEX=1 PIP_FIND_LINKS="$dist" "$work/venv/bin/python" -m pip install --quiet poci-network
installed="$(no_rust "$work/venv/bin/python" -c 'import poci, os; print(os.path.dirname(poci.__file__))')"
case "$installed" in
  "$work/venv/"*) echo "poci imported from $installed" ;;
  *) echo "poci imported from $installed, not from the venv" >&2; exit 1 ;;
esac
no_rust "$work/venv/bin/python" "$root/examples/python/miner.py"
(cd "$root/bindings/python/tests" && no_rust "$work/venv/bin/python" -m pytest -q -p no:cacheprovider)
no_rust env PYTHON="$work/venv/bin/python" bash "$root/bindings/python/check_stubs.sh"

echo "== node: the npm tarballs in an empty project, no Rust on PATH"
port_file="$work/registry.port"
python3 "$root/packaging/npm_registry.py" "$dist" "$port_file" &
registry_pid=$!
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
registry="http://127.0.0.1:$(cat "$port_file")/"
mkdir -p "$work/node-project"
cd "$work/node-project"
no_rust npm init -y >/dev/null
no_rust npm install --no-audit --no-fund --loglevel=error --registry "$registry" poci
[ -f node_modules/poci-linux-x64-gnu/poci.linux-x64-gnu.node ] \
  || { echo "the platform package poci-linux-x64-gnu was not installed" >&2; exit 1; }
if ls node_modules/poci/*.node >/dev/null 2>&1; then
  echo "the main package must not carry an addon" >&2; exit 1
fi
cp "$root/examples/node/wallet.mjs" .
no_rust node wallet.mjs
# On a report as a node publishes it, beside the samples `poci simulate` writes (the CLI of
# this build makes one; the wallet itself runs without Rust).
"$root/target/debug/poci" simulate --chips 40 --epochs 2 --seed wallet --out "$work/simulated" >/dev/null
no_rust node wallet.mjs "$work/simulated/epoch-1.json"
mkdir -p test
cp "$root/bindings/node/test/vectors.mjs" "$root/bindings/node/test/jsonform.mjs" \
  "$root/bindings/node/test/vectors.test.mjs" test/
# The vectors through the installed package (that every code has a vector is a property of
# the repository's folder, checked by node-test).
no_rust env POCI_VECTORS_DIR="$root/conformance/vectors" \
  node --test --test-name-pattern='every conformance vector passes' test/vectors.test.mjs

echo "== README snippets"
cd "$root"
python3 packaging/readme_snippets.py --work "$work" --venv "$work/venv" \
  --node-project "$work/node-project" --registry "$registry" --crates "$work/crates" \
  --no-rust-path "$no_rust_path"
