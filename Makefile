# The two commands of the README: `make run` and `make test`. Both install what is missing first.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

# Compiled dependencies live outside the clone so a fresh clone reuses them; an empty cache works too.
export CARGO_TARGET_DIR ?= $(HOME)/.cache/emsp/target
# Incremental caches grow with every build and are of no use to a one-shot CI run.
export CARGO_INCREMENTAL ?= 0
# leptos reads this at compile time; fixing it keeps `cargo test` and `cargo leptos` builds shared.
export LEPTOS_OUTPUT_NAME := emsp
# wasm-opt (for release builds) comes from the bench tools' node_modules.
export PATH := $(HOME)/.cargo/bin:$(CURDIR)/end2end/node_modules/.bin:$(CURDIR)/bench/peer/node_modules/.bin:$(PATH)

CARGO_LEPTOS_VERSION := 0.3.10
WASM_BINDGEN_VERSION := 0.2.130
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: run test install install-rust install-browser install-bench lint unit-and-integration end2end bench bench-quick demo

run: install
	cargo leptos serve

test: install lint unit-and-integration end2end bench-quick

install: install-rust install-browser end2end/node_modules/.installed

install-rust:
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@cargo leptos --version 2>/dev/null | grep -q " $(CARGO_LEPTOS_VERSION)" \
		|| cargo install cargo-leptos --version $(CARGO_LEPTOS_VERSION) --locked --features no_downloads
	@# Without --locked: wasm-bindgen-cli's lock file pins a webpki-roots the registry no longer has.
	@wasm-bindgen --version 2>/dev/null | grep -q " $(WASM_BINDGEN_VERSION)" \
		|| cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)

install-browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium; }

# wrk drives the load; PostGraphile (the peer) and binaryen's wasm-opt come from npm.
install-bench: bench/peer/node_modules/.installed
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }

bench/peer/node_modules/.installed: bench/peer/package-lock.json bench/peer/package.json
	cd bench/peer && npm ci --no-audit --no-fund
	touch $@

end2end/node_modules/.installed: end2end/package-lock.json end2end/package.json
	cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@

# Tests, end-to-end and the quick benchmark build the server with the `bench` feature (the
# benchmark's passthrough route) so that all three share one build; `make run` and release
# builds leave it out.
TEST_FEATURES := app/ssr,emsp/bench

lint:
	cargo fmt --all -- --check
	cargo clippy -p app -p emsp -p emsp-bench --all-targets --features $(TEST_FEATURES) -- -D warnings
	@# The browser half (app with `hydrate`) is linted for its own target.
	cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

unit-and-integration:
	cargo test -p app -p emsp --features $(TEST_FEATURES)

end2end:
	cargo leptos build --bin-features bench
	cargo build -p emsp-bench --bin charge-point-sim --features emsp/bench
	cd end2end && EMSP_BIN="$(CARGO_TARGET_DIR)/debug/emsp" EMSP_SIM_BIN="$(CARGO_TARGET_DIR)/debug/charge-point-sim" npx playwright test

# The benchmark on release binaries: 100 000 locations by default (BENCH_ARGS="--scale 20000" to
# change); report in target/bench/report.md and report.json.
BENCH_ARGS ?=
bench: install install-bench
	LEPTOS_ENV=PROD cargo leptos build --release --bin-features bench
	cargo build --release -p emsp-bench
	"$(CARGO_TARGET_DIR)/release/emsp-bench" --server "$(CARGO_TARGET_DIR)/release/emsp" $(BENCH_ARGS)

# The same harness on the debug build the tests made, at 1 000 locations with short rounds, so CI
# keeps it working; its ratios are not the performance claims (those come from `make bench`).
bench-quick: install-bench
	cargo build -p emsp -p emsp-bench --bin emsp --bin emsp-bench --features emsp/bench
	"$(CARGO_TARGET_DIR)/debug/emsp-bench" --quick --server "$(CARGO_TARGET_DIR)/debug/emsp" --out target/bench-quick

# The demo: the demo set in ./data, the server on :3000 and four simulated chargers changing
# status live for ten minutes (open http://127.0.0.1:3000/browse); all of it stops then, or on Ctrl-C.
demo: install
	cargo leptos build
	cargo build -p emsp-bench --bin charge-point-sim --features emsp/bench
	@[ -f data/demo-chargers.tsv ] || "$(CARGO_TARGET_DIR)/debug/emsp" demo-data
	@"$(CARGO_TARGET_DIR)/debug/emsp" serve & server=$$!; trap 'kill $$server' EXIT INT TERM; \
	  for i in $$(seq 1 100); do curl -sf http://127.0.0.1:3000/readyz >/dev/null && break; sleep 0.2; done; \
	  echo "Portal: http://127.0.0.1:3000/browse (demo owners' passwords: printed by demo-data above)"; \
	  "$(CARGO_TARGET_DIR)/debug/charge-point-sim" --from data/demo-chargers.tsv --random --run-for 600
