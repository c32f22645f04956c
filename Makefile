# Everything a newcomer needs, from a fresh clone: `make maelstrom` (the main job) and `make test`.
# Each target installs the development tools itself (npm ci) when they are missing.

SHELL := /bin/bash
NPM_STAMP := node_modules/.installed
RUN_TS := node scripts/run-ts.mjs

# The canonical lin-kv test with partitions (Maelstrom's Raft chapter), on the local bench.
MAELSTROM_FLAGS ?= --node-count 3 --concurrency 4n --rate 30 --time-limit 60 --nemesis partition --nemesis-interval 10

.PHONY: all build test test-deps typecheck unit maelstrom maelstrom-real sim bench bench-failover demo cluster clean

all: build

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: $(NPM_STAMP)
	node scripts/build.mjs

typecheck: $(NPM_STAMP)
	npx tsc --noEmit -p tsconfig.json

unit: build
	npx vitest run

# System packages the tests use (chromium, openssl, iproute2, iptables), installed when missing.
test-deps:
	@bash scripts/install-test-deps.sh

test: test-deps typecheck unit

maelstrom: build
	$(RUN_TS) maelstrom/cli.ts test -w lin-kv --bin dist/node.js $(MAELSTROM_FLAGS)

maelstrom-real: build
	bash maelstrom/real.sh test -w lin-kv --bin dist/node.js $(MAELSTROM_FLAGS)

sim: $(NPM_STAMP)
	$(RUN_TS) test/sim/cli.ts --seeds 1000

bench: build
	$(RUN_TS) bench/run.ts

bench-failover: build
	$(RUN_TS) bench/failover.ts

demo: build
	$(RUN_TS) bench/demo.ts

# A local 3-node standalone cluster in this terminal (Ctrl-C stops it); CLUSTER_FLAGS="--nodes 5" etc.
cluster: build
	$(RUN_TS) src/cluster/cli.ts --no-build $(CLUSTER_FLAGS)

clean:
	rm -rf dist store cluster-data
