# pacman: the Pacman game server in C. `make help` lists every target.
.DEFAULT_GOAL := build
SHELL := /bin/bash

BUILD    := build
BIN      := $(BUILD)/pacman
PKGS     := libmicrohttpd jansson libmongoc-1.0 libbson-1.0 openssl zlib
SOURCES  := $(wildcard server/*.c)
LIB_SRCS := $(filter-out server/main.c,$(SOURCES))
HEADERS  := $(wildcard server/*.h)
VERSION  := $(shell git describe --always --dirty 2>/dev/null || echo dev)

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
            -Wformat=2 -Wvla -Wpointer-arith -Wcast-qual -Wundef
# Control-flow protection is the architecture's own: -fcf-protection (CET) where the compiler
# takes it, else -mbranch-protection=standard (BTI and PAC), whichever it accepts. Asked of the
# compiler, never named per architecture, and only when the server is built (`=`: after deps.sh).
CONTROL_FLOW = $(shell for flag in -fcf-protection -mbranch-protection=standard; do \
                 $(CC) -Werror $$flag -E -x c /dev/null >/dev/null 2>&1 && { echo $$flag; break; }; done)
HARDEN    = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fstack-clash-protection -fPIE \
            $(CONTROL_FLOW)
CFLAGS   ?= -O2 -g
# What reads the machine is expanded only inside recipes (`=`, never `:=`), so it runs after
# scripts/deps.sh has installed the libraries: every compile and link rule below waits for
# $(BUILD)/.deps-build. Read at make's start, a fresh machine got an empty link line.
PKG_CONFIG_OUT = $(or $(shell pkg-config $(1) $(PKGS) 2>/dev/null),$(error pkg-config \
                 $(1) $(PKGS) failed: run `scripts/deps.sh build` (or `make deps`) first))
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE -DPACMAN_VERSION='"$(VERSION)"' $(WARNINGS) $(CFLAGS) \
             $(patsubst -I%,-isystem %,$(call PKG_CONFIG_OUT,--cflags))
LDLIBS    = $(call PKG_CONFIG_OUT,--libs) -lpthread
LDHARDEN := -pie -Wl,-z,relro,-z,now -Wl,-z,noexecstack

PY := $(BUILD)/venv/bin/python
# Test processes get killed; libmongoc's per-pid shared-memory counters would outlive them and
# make a later process with the same pid warn on stderr (see tests/harness.py).
export MONGOC_DISABLE_SHM := 1

.PHONY: build help deps run test check test-unit test-js test-integration test-asan test-e2e \
        test-k8s test-helm chart-files test-cluster test-image test-release test-arm64 test-compose test-fresh test-hostile test-reliability test-demo test-backup valgrind \
        fuzz fuzz-smoke asan bench loadtest loadtest-smoke demo cluster-demo cluster-demo-local credentials \
        format format-check clean test-docs docs-refresh docs-images figures

build: $(BIN) ## build the server to build/pacman (hardened, warnings are errors)

$(BIN): $(SOURCES) $(HEADERS) Makefile | $(BUILD)/.deps-build
	$(CC) $(ALL_CFLAGS) $(HARDEN) -o $@ $(SOURCES) $(LDHARDEN) $(LDLIBS)

$(BUILD)/.deps-build: scripts/deps.sh
	@mkdir -p $(BUILD)
	scripts/deps.sh build
	@touch $@

# Same code, built with clang's AddressSanitizer and UndefinedBehaviorSanitizer.
ASAN_BIN := $(BUILD)/asan/pacman
asan: $(ASAN_BIN) ## build the same server with ASan+UBSan to build/asan/pacman
$(ASAN_BIN): $(SOURCES) $(HEADERS) Makefile | $(BUILD)/.deps-build
	@mkdir -p $(dir $@)
	scripts/deps.sh fuzz
	clang $(filter-out $(CFLAGS),$(ALL_CFLAGS)) -O1 -g -fno-omit-frame-pointer \
	  -fsanitize=address,undefined -fno-sanitize-recover=undefined -o $@ $(SOURCES) $(LDLIBS)

help: ## list every target
	@grep -hE '^[a-z][a-z0-9-]*:.*## ' $(MAKEFILE_LIST) | sort | \
	  awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

deps: ## install everything `make test` needs (apt, FerretDB, Python, Node)
	scripts/deps.sh build run test browser image bench k8s helm cluster release compose

run: ## build and serve the game on http://localhost:8080 (starts a local database if none is configured)
	scripts/deps.sh build run
	@$(MAKE) --no-print-directory build
	scripts/run-local.sh

# Each suite is timed into build/results/suites.json (docs/results/ under `make figures`).
TEST_SUITES := format-check test-unit test-js test-docs test-integration test-e2e test-k8s test-helm test-cluster \
  test-hostile fuzz-smoke test-asan test-reliability test-demo test-backup valgrind test-image test-release \
  test-compose test-fresh loadtest-smoke

test: deps build ## install what is needed and run every test suite
	@set -e; for suite in $(TEST_SUITES); do \
	  python3 tests/docs/results.py time suites $$suite --by "make test" -- $(MAKE) --no-print-directory $$suite; \
	done
	@if ls build/skipped/* >/dev/null 2>&1; then \
	  for f in build/skipped/*; do echo "make test: SKIPPED $${f##*/}: $$(cat $$f)"; done; \
	  echo "make test: every suite that ran passed (see the skipped ones above)"; \
	else echo "make test: all suites passed"; fi

# ---- the suites (each can be run on its own) ----
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(wildcard tests/unit/test_*.c))
# Each unit test links only the server modules listed for it: the module it tests and what
# that module itself calls. A module that reached for more (the store, libmicrohttpd, a
# handler) would fail to link, so the list is the proof of what the module reaches: pure
# modules list a few helpers; an API area's list shows the store's room it works through.
UNIT_MODULES_test_api              := api dbqueue background hex input reply result_cache strbuf \
                                      timing
UNIT_MODULES_test_background       := background timing
UNIT_MODULES_test_config           := config
UNIT_MODULES_test_dbqueue          := dbqueue background reply strbuf timing
UNIT_MODULES_test_display          := display
UNIT_MODULES_test_highscores       := highscores store_scores store topology replset display api \
                                      dbqueue result_cache reply input hex strbuf timing \
                                      background log
UNIT_MODULES_test_input            := input hex
UNIT_MODULES_test_kubernetes       := kubernetes hex input
UNIT_MODULES_test_log              := log background hex timing
UNIT_MODULES_test_metrics          := metrics strbuf timing
UNIT_MODULES_test_players          := players store_players store topology replset display api \
                                      dbqueue result_cache reply input hex strbuf timing \
                                      background log
UNIT_MODULES_test_receive_deadline := receive_deadline background hex log strbuf timing
UNIT_MODULES_test_replset          := replset display
UNIT_MODULES_test_reply            := reply
UNIT_MODULES_test_result_cache     := result_cache reply strbuf timing
UNIT_MODULES_test_router           := router
UNIT_MODULES_test_static           := static_files hex
UNIT_MODULES_test_strbuf           := strbuf hex
UNIT_MODULES_test_topology         := topology replset display strbuf timing
# Tests that take memory away from the module they test wrap its allocator's calls.
UNIT_LDFLAGS_test_reply            := -Wl,--wrap=strdup
UNIT_LDFLAGS_test_strbuf           := -Wl,--wrap=realloc
unit_sources = $(patsubst %,server/%.c,$(or $(UNIT_MODULES_$(1)),$(error tests/unit/$(1).c: \
               list the modules it links in UNIT_MODULES_$(1) (Makefile))))
.SECONDEXPANSION:
$(BUILD)/unit/%: tests/unit/%.c $$(call unit_sources,%) $(HEADERS) | $(BUILD)/.deps-build
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Iserver -fsanitize=address,undefined -fno-omit-frame-pointer \
	  -o $@ $< $(call unit_sources,$*) $(UNIT_LDFLAGS_$*) $(LDLIBS) -lcmocka

test-unit: $(UNIT_TESTS) ## C unit tests of the modules (cmocka, ASan/UBSan), and the layers' rules (includes point down, one route table, HTTP knows no database)
	python3 tests/unit/check_layers.py server
	@set -e; for t in $(UNIT_TESTS); do echo "== $$t"; $$t; done

check: ## the edit-test loop, seconds once built: format-check, test-unit, test-js, test-docs
	$(MAKE) --no-print-directory format-check test-unit test-js test-docs

test-js: ## unit tests of the game's rule modules (node --test)
	node --test tests/unit-js/

test-docs: ## the docs: links, anchors, pictures, figures against docs/results/, the architecture picture
	python3 -m unittest discover -s tests/docs -p 'test_*.py'
	python3 tests/docs/check.py

docs-refresh: ## rewrite the docs' figures and generated tables from docs/results/
	python3 tests/docs/check.py refresh

docs-images: ## draw docs/img/architecture.svg from docs/img/architecture.py
	python3 docs/img/architecture.py

test-integration: build ## the real binary against a real FerretDB over HTTP (pytest)
	$(PY) -m pytest -q tests/integration

test-asan: asan ## the integration suite against the sanitizer build
	PACMAN_BINARY=$(ASAN_BIN) ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:log_path=$(BUILD)/asan/report \
	  $(PY) -m pytest -q -x tests/integration -m "not slow"
	@if ls $(BUILD)/asan/report* >/dev/null 2>&1; then cat $(BUILD)/asan/report*; exit 1; fi

test-e2e: build ## the game in Debian's Chromium via Playwright, against the real server, in a network namespace of its own (DOCS_SCREENSHOTS=1: and the docs' pictures into docs/screenshots/)
	scripts/deps.sh browser bench
	tests/private-network.sh $(PY) -m pytest -q tests/e2e

test-k8s: build ## offline checks of k8s/ manifests and overlays
	scripts/deps.sh k8s
	tests/k8s/run.sh

test-helm: build ## the Helm chart offline: lint --strict, schemas, values, credentials, the same objects as k8s/, helm test's script against the real server
	scripts/deps.sh k8s helm
	tests/helm/run.sh

# Helm reads no file outside the chart: charts/pacman/files/ carries copies of these
# (tests/helm/test_same_as_kustomize.py fails when one is stale).
CHART_FILES := k8s/base/mongo/bootstrap.sh k8s/base/mongo/rs-bootstrap.js k8s/base/mongo/rs-decide.js \
               k8s/base/mongo/member-ready.sh k8s/base/mongo/mongosh.conf \
               k8s/base/mongo/change-root-password.sh k8s/loadtest/locustfile.py
chart-files: ## copy the member scripts and the load-test scenario from k8s/ into charts/pacman/files/
	cp $(CHART_FILES) charts/pacman/files/

test-cluster: ## the walkthrough's kubectl commands on a real control plane (etcd, kube-apiserver, kwok; built once)
	scripts/deps.sh cluster helm
	tests/cluster/run.sh

test-image: ## build the Dockerfile with podman and smoke-test the container
	scripts/deps.sh image
	tests/image/run.sh

test-release: ## actionlint on .github/workflows; the release builds what test-image tests (same Dockerfile and build arguments)
	scripts/deps.sh test release
	tests/image/release.sh

test-arm64: ## the image built for linux/arm64 under QEMU emulation (binfmt_misc) and smoke-tested; slow, not in `make test`
	scripts/deps.sh test image arm64
	tests/image/arm64.sh

test-compose: ## compose.yaml up for real (podman-compose, the game's image, a FerretDB stand-in for mongo): play, down, up, scores kept
	scripts/deps.sh test image compose
	tests/compose/run.sh

test-fresh: ## `make run` from a clone of HEAD in a fresh Debian 12 container: page, score, Ctrl-C
	scripts/deps.sh image
	tests/fresh/run.sh

test-hostile: build ## the catalogue of hostile requests (framing cases also through nginx)
	scripts/deps.sh bench test
	$(PY) -m pytest -q tests/hostile

fuzz-smoke: | $(BUILD)/.deps-build ## a short libFuzzer run of every parser
	scripts/deps.sh fuzz
	tests/fuzz/run.sh smoke

fuzz: | $(BUILD)/.deps-build ## a longer libFuzzer run of every parser
	scripts/deps.sh fuzz
	tests/fuzz/run.sh long

bench: build ## benchmarks: ours vs nginx and a bare epoll server, API, memory, image size, callgrind; writes docs/results/bench.json
	scripts/deps.sh bench run test image
	tests/bench/run.sh

# make test writes its figures (suite timings, the fresh machine) to build/results/ while its own
# test-docs runs, so they are copied to docs/ once it is over.
figures: ## measure every figure the docs quote again (bench, load test, make test) and rewrite them in docs/
	PACMAN_RESULTS_DIR=docs/results $(MAKE) --no-print-directory bench
	scripts/deps.sh run test
	PACMAN_RESULTS_DIR=docs/results tests/load/run.sh figures
	rm -f $(BUILD)/results/suites.json $(BUILD)/results/fresh.json $(BUILD)/results/password-change.json \
	  $(BUILD)/results/image.json
	$(MAKE) --no-print-directory test
	cp $(BUILD)/results/suites.json $(BUILD)/results/fresh.json $(BUILD)/results/password-change.json \
	  $(BUILD)/results/image.json docs/results/
	$(MAKE) --no-print-directory docs-refresh test-docs

loadtest: build ## a Locust player scenario against a running server (URL=http://localhost:8080)
	scripts/deps.sh test
	tests/load/run.sh full

loadtest-smoke: build ## a short Locust run against a fresh local stack
	scripts/deps.sh run
	tests/load/run.sh smoke

test-reliability: build ## faults under load: 10 database kill/restart cycles, hung database, rolling restart behind nginx (whose reloads drop nothing), 1,000 slow connections
	scripts/deps.sh bench test
	$(PY) -m pytest -q tests/reliability

test-demo: build ## the minikube demo rehearsed locally, as a test (`make demo` to watch it)
	scripts/deps.sh bench test
	$(PY) -m pytest -q tests/demo

test-backup: build ## backup and restore without a cluster: the local database backed up while written, destroyed, restored (same fingerprint); the members' backup hook in mongosh; the Velero and Kanister recipes
	scripts/deps.sh test k8s
	tests/backup/run.sh

valgrind: build ## valgrind memcheck of the server through a short load (no leak, no invalid access)
	scripts/deps.sh test
	tests/reliability/valgrind.sh

demo: build ## the minikube demo rehearsed locally: 10 replicas behind nginx, database killed
	scripts/deps.sh bench test
	$(PY) tests/demo/rehearse.py

cluster-demo: ## the minikube walkthrough as one measured run on the current kubectl context (ARGS=--keep leaves it up)
	python3 scripts/cluster-demo.py $(ARGS)

credentials: ## write k8s/local, an overlay with this cluster's own passwords and key (ARGS="--rotate app" etc.; docs/credentials.md)
	scripts/credentials.sh $(ARGS) k8s/local

cluster-demo-local: build ## the same scenario as cluster-demo on the local rehearsal (FerretDB, replicas, nginx)
	scripts/deps.sh bench test
	$(PY) tests/demo/cluster_local.py $(ARGS)

C_FORMATTED := server/*.c server/*.h tests/unit/*.c tests/integration/*.c

format: ## clang-format the C sources (style in .clang-format)
	scripts/deps.sh format
	clang-format -i $(C_FORMATTED)

format-check: ## fail if a C source differs from what `make format` would write
	scripts/deps.sh format
	clang-format --dry-run --Werror $(C_FORMATTED)

clean: ## remove build output (keeps the local database in var/)
	rm -rf $(BUILD)/pacman $(BUILD)/asan $(BUILD)/unit $(BUILD)/fuzz $(BUILD)/demo $(BUILD)/valgrind
