# POCI: one entry point per job. `make test` is what CI runs.
CARGO ?= cargo

.PHONY: demo test fmt-check clippy rust-test bench

demo:
	$(CARGO) run --quiet -p poci --example heartbeat

test: fmt-check clippy rust-test

fmt-check:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

rust-test:
	$(CARGO) test --workspace

bench:
	$(CARGO) bench -p poci --bench verify
