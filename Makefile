# POCI: one entry point per job. `make test` is what CI runs.
CARGO ?= cargo
PYTHON ?= python3
VENV ?= .venv

.PHONY: demo test fmt-check clippy doc rust-test rust-examples fuzz-build dist artifact-test python-test swift-check node-test bench bench-rust bench-python bench-node vendor-roots vectors tools fuzz

# The main job: a simulated network of 10,000 chips (report in poci-report/).
demo:
	$(CARGO) run --release --quiet -p poci-cli -- simulate --out poci-report

# The packages are tested as users get them: `dist` builds them, `artifact-test` installs
# each in a clean place (the wheel and the npm tarballs with no Rust toolchain on PATH) and
# runs the examples, the vectors and every README snippet there.
test: tools fmt-check clippy doc rust-test rust-examples fuzz-build swift-check node-test dist artifact-test

# Tests drive the openssl command (an independent X.509 implementation).
tools:
	@command -v openssl >/dev/null || (apt-get update -qq && apt-get install -y -qq openssl)

fmt-check:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	# Each backend alone must build clean (pure-rust: targets without a C toolchain).
	$(CARGO) clippy -p poci --lib --no-default-features --features pure-rust -- -D warnings
	$(CARGO) clippy -p poci --lib --no-default-features --features ring -- -D warnings
	$(CARGO) clippy -p poci --lib --no-default-features --features aws-lc -- -D warnings

# The library crates' docs as docs.rs builds them, warnings denied (poci-cli is a binary).
doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps --all-features -p poci -p poci-folder

rust-test:
	$(CARGO) test --workspace
	$(CARGO) run --quiet -p poci-conformance --bin run_vectors

# Each example checks its own results and exits non-zero if one is wrong.
rust-examples:
	$(CARGO) run --quiet -p poci-examples --bin miner
	$(CARGO) run --quiet -p poci-examples --bin node
	$(CARGO) run --quiet -p poci-examples --bin wallet

# The fuzz targets link as libFuzzer binaries on the stable toolchain (no instrumentation),
# so they never rot; `rust-test` already ran each over its seeds and kept inputs.
fuzz-build:
	$(CARGO) build --quiet -p poci-fuzz --bins

# A short campaign: seeds from the vectors, then each target for FUZZ_SECONDS under
# AddressSanitizer. cargo-fuzz needs a nightly toolchain (FUZZ_TOOLCHAIN).
FUZZ_SECONDS ?= 60
FUZZ_TOOLCHAIN ?= +nightly
FUZZ_TARGETS = decode_heartbeat decode_binding decode_lease certificate crl manifest vendor_roots nvidia_report json_forms signature verify_heartbeat verify_binding ledger_apply
fuzz:
	@command -v cargo-fuzz >/dev/null || $(CARGO) install --locked cargo-fuzz
	$(CARGO) run --quiet -p poci-fuzz --bin seed_corpus
	cd fuzz && for target in $(FUZZ_TARGETS); do \
		$(CARGO) $(FUZZ_TOOLCHAIN) fuzz run -O $$target -- -max_total_time=$(FUZZ_SECONDS) || exit 1; \
	done

# Into dist/: the crates (cargo package, verified), the abi3 wheel and the sdist, the npm
# main and platform packages (packaging/dist.sh).
dist:
	bash packaging/dist.sh

# dist/ installed in clean places: the packaged crate's tests and a scratch project, the
# wheel in a fresh venv (miner example, test suite and vectors, stubtest), the npm tarballs in
# an empty project (wallet example, vectors), then every README snippet
# (packaging/test-artifacts.sh). Needs `make dist` first.
artifact-test:
	bash packaging/test-artifacts.sh

# For development: the package built from the working tree into .venv (pip runs maturin).
# `make test` tests the wheel of `make dist` instead (artifact-test).
python-test:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet ./bindings/python pytest
	$(VENV)/bin/python examples/python/miner.py
	cd bindings/python/tests && $(CURDIR)/$(VENV)/bin/python -m pytest -q

# No Swift toolchain here: regenerate the Swift sources (must not drift) and run every
# vector through uniffi's Python bindings of the same crate, i.e. the same C ABI.
swift-check:
	bash bindings/swift/check.sh

# npm ci installs the napi CLI and TypeScript from the lock file; npm test builds the addon,
# type-checks test/types.ts with tsc and runs node:test in the package folder (the wallet
# example runs from the installed tarball, in artifact-test).
node-test:
	cd bindings/node && npm ci --no-audit --no-fund --loglevel=error
	cd bindings/node && npm test --silent

# The per-call overhead hooks exist only in builds with the bindings' `bench` feature (never
# in the packages), built beside them.
bench-node: node-test
	cd bindings/node && npx napi build --release --features bench --output-dir ../../target/node-bench --dts bench.d.ts
	node bindings/node/bench/overhead.mjs

bench-python:
	$(PYTHON) -m venv target/bench-venv
	MATURIN_PEP517_ARGS="--features bench" target/bench-venv/bin/python -m pip install --quiet ./bindings/python
	target/bench-venv/bin/python bindings/python/bench/overhead.py

vectors:
	$(CARGO) run --quiet -p poci-conformance --bin generate_vectors -- conformance/vectors

vendor-roots:
	$(CARGO) run --quiet -p poci --example mint_test_vendors -- vendor-roots

# Criterion (verify, ledger), the one-pass scale run (1M chips; POCI_SCALE_CHIPS to change),
# and the per-call overhead of the Python and Node bindings. Results: BENCHMARKS.md.
bench: bench-rust bench-python bench-node

bench-rust:
	$(CARGO) bench -p poci --bench verify -- --warm-up-time 2 --measurement-time 5
	$(CARGO) bench -p poci --bench ledger -- --warm-up-time 2 --measurement-time 5
	$(CARGO) bench -p poci --bench scale
