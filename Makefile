# pinsede: build, run, test, benchmark and package.
# `make help` lists the targets; README.md explains them.
#
# Every target that compiles first runs scripts/setup.sh, which installs the
# missing Debian packages (the list is scripts/apt-packages.txt) and does
# nothing, in a few milliseconds, when all are present. Go modules are
# downloaded by the go command itself; Go tools go into .bin/.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

GO      ?= go
TOOLS   := $(CURDIR)/.bin
BIN     := $(CURDIR)/bin
DIST    := $(CURDIR)/dist
# Project tools first; /usr/local/go/bin last, for a shell that lacks it.
export PATH := $(TOOLS):$(PATH):/usr/local/go/bin

# The programs that `make build` builds: every cmd/NAME with a main.go.
CMDS ?= $(sort $(notdir $(patsubst %/,%,$(dir $(wildcard cmd/*/main.go)))))

# make run: extra flags for sportello, e.g. make run ARGS="-store /tmp/s.db".
ARGS ?=
# make run prints slips as files here (the app shows a red banner in this dev
# mode). A later -dev-print in ARGS wins; DEV_PRINT= (empty) leaves it out.
DEV_PRINT ?= $(HOME)/.local/share/pinsede/dev-slips
# make run starts a development centrale on CENTRALE (CENTRALE= runs the desk
# offline), with its CA, store and log in DEV_DATA, and connects the desk to
# it with a certificate of sede DEV_SEDE: the code the first-run set-up takes.
# scripts/dev-centrale.sh does it.
CENTRALE ?= 127.0.0.1:8443
DEV_SEDE ?= DEV01
DEV_DATA ?= $(HOME)/.local/share/pinsede

# make build and make run stamp the programs with this version (sportello
# shows it in its guide).
VERSION ?= $(shell git describe --always --dirty 2>/dev/null || echo dev)
BUILT   ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
COMMIT  ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo +modified)
# The Fyne apps are built without Fyne's animations: the text cursor's
# blink alone redraws the whole window about 60 times a second, 20% of a
# core on a desk PC without a GPU (BENCHMARKS.md, "Idle desk").
TAGS    ?= no_animations
# ... and with Fyne's driver patched so that, idle, it waits for events
# instead of polling for them 60 times a second (third_party/fyne-idle):
# scripts/fyne-idle.sh writes FYNE_MODFILE, our go.mod with Fyne replaced
# by the patched copy, which every build of the programs reads.
FYNE_MODFILE := $(BIN)/fyne-idle/go.mod
LDFLAGS ?= -X github.com/pinsede/pinsede/internal/buildinfo.Version=$(VERSION) \
	-X github.com/pinsede/pinsede/internal/buildinfo.Commit=$(COMMIT) \
	-X github.com/pinsede/pinsede/internal/buildinfo.Built=$(BUILT)

# make test
PKGS         ?= ./...
TEST_TIMEOUT ?= 20m
TESTFLAGS    ?=
# make test runs the packages whose rules read the calendar a second time
# on a hard day: the last seconds of a leap day, in another time zone than
# the sede's and in the C locale. The suites take their clock from
# PINSEDE_TEST_NOW (internal/testclock); any RFC 3339 time works, e.g.
# make test TEST_NOW=2031-12-31T23:59:50+01:00. The desk's binary reads
# the real clock, never PINSEDE_TEST_NOW: on this pass it meets only the
# zone and the locale, on the real day, and only its real-input walks that
# carry dates and times of day through it run again (the walk-ins, the
# ticket's, the supervisor's screens, the clocks off, the second desk, the
# print cut short); the others skip themselves (testclock.RealDayOnly): the
# desk's package took 551 s on this pass here against 1,255 s before
# (side by side, 2026-12-07, load 12-27). local's TestCrash and
# sync/client's TestKilledDuringPush kill 20 and 12 times on both
# moved-clock passes, as under -short, 200 and 100 times on the first.
# ui/desk's and sync/client's tests whose subject is not a date (keys,
# layout, store refusals, copies put back: testclock.RealDayOnly) run on
# the first pass only: ui/desk's hard-day pass took 366 s here against
# 826 on main, sync/client's 308 against 463 (2026-12-07, load 15-27).
DATE_PKGS ?= . ./local ./sync/... ./ui/desk ./ui/ticket ./cmd/sportello ./cmd/centrale ./cmd/pinctl
TEST_NOW  ?= 2028-02-29T23:59:30+01:00
TEST_TZ   ?= America/Sao_Paulo
# And a third time on the night the clocks go back in Italy, 30 s before
# 03:00 CEST becomes 02:00 CET, where an hour of local times comes twice
# (the desk's copies were named by local time alone and collided). The
# desk's binary and its real-input tests, on the real clock, are left out.
# The kiosk is left out of both passes: ui/kiosk's tests never read
# PINSEDE_TEST_NOW (their clock is their own day, testNow, 10 March 2026
# in a zone of its own), the kiosk reads the time through its Config.Now
# alone and writes it in that time's zone, never TZ's (a time read back
# from its spool takes TZ's zone only where TZ's offset is its own, which
# on those days moves no midnight), and its language's set-up under
# LC_ALL=C is ui/i18n's TestUse: both passes ran its tests again on the
# same inputs, 712 s of the hard day here (2026-12-07, load 19-27; 167 s
# at load 7-10). cmd/chiosco's real-input tests, on the real clock, and
# its flags' skipped themselves there, leaving the list of its imports.
DST_PKGS  ?= . ./local ./sync/... ./ui/desk ./ui/ticket ./cmd/centrale ./cmd/pinctl
DST_NOW   ?= 2027-10-31T02:59:30+02:00
DST_TZ    ?= Europe/Rome
# make test then runs go test -race on RACE_PKGS (those PKGS holds too):
# the packages where -race costs less than twice the plain run. Wall time
# race/plain, median of 2-8 pairs run side by side on 2026-12-05 (2 cores,
# load 3-17): local 0.76, sync/pgstore 1.33, sync/server
# 1.36, cmd/centrale 1.37, cmd/pinctl 1.56, ui/cups (then ui/printer) 1.57, sync/boltstore
# 1.91, ui/theme 1.94, ui/ticket 1.99, ui/i18n 1.99 (in); ui/slip and
# sync/pki 2.00, the root package 3.3, sync/client 3.8, ui/desk 3.8,
# ui/kiosk 8.2, the small packages 2.5-3.9 (about 1 s of race exit wait
# each) (out). cmd/sportello (1.09 before its real-input tests) and
# cmd/chiosco (1.04 before its own) are out: their tests drive the real
# binary, built without -race (for 4 minutes and for 1.5), and ui/desk and
# ui/kiosk cover their code under make race. make race runs them all:
# go test -race ./ui/desk ./ui/kiosk ./sync/... ./local passed in 4m45s.
# PINSEDE_XTEST_RACE=1 builds the binary of the real-input tests with -race
# too (internal/xtest), which no target sets: on 2026-12-06 (2 cores, load
# 8) the race build of chiosco took 57 s cold and 6 s cached, the desk's
# 16 s more; the kiosk's real-input tests 140 s against 66 s; the desk's
# 20 min against 10, where it found Fyne's driver racing with itself as
# the desk quits after clicks (double-tap timers run off its main
# goroutine once the loop has ended), which fails them.
RACE_PKGS ?= ./local ./sync/pgstore ./sync/server ./cmd/centrale ./cmd/pinctl \
	./ui/cups ./sync/boltstore ./ui/theme ./ui/ticket ./ui/i18n
# RACE_PKGS that PKGS holds too, as import paths; nothing when RACE_PKGS is
# empty (go list with no argument would list the root package).
race_in_pkgs = $(if $(strip $(RACE_PKGS)),$(filter $(shell $(GO) list $(RACE_PKGS)),$(shell $(GO) list $(PKGS))))
# make test hands go test the packages of each pass (PKGS, DATE_PKGS,
# DST_PKGS) longest first: those of LONG_PKGS the pass holds, in that
# order, then the others in go list's order. go test starts the packages'
# runs in the order it is given them, two at a time on two cores, and a
# long package started late ran on alone at the end of its pass, the other
# core idle: ./... lists ui/kiosk (250 s of CI's first pass) among the
# last, DATE_PKGS the desk's binary (its real-input tests, minutes) last
# of all. ui/desk comes before local: longer in each pass (a rehearsal of
# 2026-12-07: 123 s against 74 on the first, 133-156 against 76-120 in
# all), and with the kiosk out of the later passes the longest of theirs.
# The order changes no test; LONG_PKGS= keeps go list's order.
LONG_PKGS ?= ./cmd/sportello ./ui/kiosk ./ui/desk ./cmd/chiosco ./local
# long_first lists the packages of the patterns $(1) as import paths,
# LONG_PKGS first (go list -e: a package that does not load is listed
# still, for go test to report it).
long_first = $(call first_of,$(shell $(GO) list -e $(1)),$(if $(strip $(LONG_PKGS)),$(shell $(GO) list -e $(LONG_PKGS))))
# first_of lists the words of $(1), those of $(2) first in $(2)'s order.
first_of = $(filter $(1),$(2)) $(filter-out $(2),$(1))

# make fuzz runs every fuzz target of the repo (func FuzzX in a _test.go,
# third_party aside) in turn, for FUZZTIME each, one worker at a time
# (FUZZFLAGS: a new input worth keeping is minimised for at most 10 s, not
# the minute that would take a short run's whole time). make test replays
# their seed corpora (testdata/fuzz/FuzzX) only.
FUZZTIME  ?= 30s
FUZZFLAGS ?= -parallel 1 -fuzzminimizetime 10s

# make bench
BENCH       ?= .
BENCH_COUNT ?= 6
BENCHFLAGS  ?=
BENCH_OUT   ?= bench.txt
# BENCH_BASE=old.txt compares BENCH_OUT with an earlier run.
BENCH_BASE  ?=

# Go tools, installed into .bin/ only when missing (rm -rf .bin to update).
FYNE_TOOL_VERSION ?= v1.7.4
BENCHSTAT_VERSION ?= v0.0.0-20260908200009-22c9c6c9d4da
NFPM_VERSION      ?= v2.48.0

.PHONY: help
help: ## List the targets.
	@echo "Quick start: make run | make test"
	@echo
	@grep -hE '^[a-z][a-z_-]*:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "} {printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: setup
setup: ## Install missing system packages (Debian); cheap when all are there.
	@bash scripts/setup.sh

.PHONY: build
build: setup fyne-idle ## Build every program under cmd/ (or CMDS=...) into bin/.
	@mkdir -p $(BIN)
	$(GO) build -modfile=$(FYNE_MODFILE) -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN)/ $(addprefix ./cmd/,$(CMDS))

.PHONY: run
run: setup fyne-idle ## Build and start centrale and the desk app connected to it (ARGS="..." adds flags).
	@mkdir -p $(BIN)/dev
	$(GO) build -modfile=$(FYNE_MODFILE) -tags '$(TAGS)' -ldflags '$(LDFLAGS)' -o $(BIN)/dev/ ./cmd/sportello $(if $(CENTRALE),./cmd/centrale ./cmd/pinctl)
	@# Fyne's development fallback reads FyneApp.toml beside the binary (app
	@# id, name, version; the icon path resolves from here, the repo root).
	@ln -sfn ../../FyneApp.toml $(BIN)/dev/FyneApp.toml
	@$(if $(DEV_PRINT),mkdir -p "$(DEV_PRINT)" && echo "run: dev printer: slips go to $(DEV_PRINT)")
	$(if $(CENTRALE),bash scripts/dev-centrale.sh $(BIN)/dev "$(DEV_DATA)" $(DEV_SEDE) $(CENTRALE) --) \
		bash scripts/run.sh $(BIN)/dev/sportello $(if $(DEV_PRINT),-dev-print "$(DEV_PRINT)") $(ARGS)

# fyne-idle writes FYNE_MODFILE (see TAGS above); it fails when go.mod's
# Fyne is not the one the patch was made for.
.PHONY: fyne-idle
fyne-idle:
	@bash scripts/fyne-idle.sh $(FYNE_MODFILE)

.PHONY: test
test: setup ## gofmt check, go vet, go test (with the Xvfb smoke test), again on a hard day and on the night the clocks go back, -race on RACE_PKGS.
	@$(MAKE) --no-print-directory fmt-check
	$(GO) vet $(PKGS)
	$(GO) test -timeout $(TEST_TIMEOUT) $(TESTFLAGS) $(call long_first,$(PKGS))
	PINSEDE_TEST_NOW=$(TEST_NOW) TZ=$(TEST_TZ) LC_ALL=C LANG=C \
		$(GO) test -timeout $(TEST_TIMEOUT) $(TESTFLAGS) $(call long_first,$(DATE_PKGS))
	PINSEDE_TEST_NOW=$(DST_NOW) TZ=$(DST_TZ) \
		$(GO) test -timeout $(TEST_TIMEOUT) $(TESTFLAGS) $(call long_first,$(DST_PKGS))
	$(if $(race_in_pkgs),$(GO) test -race -timeout $(TEST_TIMEOUT) $(TESTFLAGS) $(race_in_pkgs))
	@# The patched copy of fpdf is a module of its own (see its README).
	cd third_party/fpdf && $(GO) test $(TESTFLAGS) .
	@# The idle patch of Fyne's driver: its tests, in Fyne's package, with
	@# the driver running on an X server.
	@$(MAKE) --no-print-directory fyne-idle
	xvfb-run -a $(GO) test -race -modfile=$(FYNE_MODFILE) -tags '$(TAGS)' $(TESTFLAGS) -run '^TestIdleLoop' fyne.io/fyne/v2/internal/driver/glfw

.PHONY: fuzz
fuzz: setup ## Run each fuzz target for FUZZTIME (30s), one after another; make test replays their seeds only.
	@failed=""; \
	for file in $$(grep -rl --include='*_test.go' --exclude-dir=third_party --exclude-dir=testdata '^func Fuzz' . | sort); do \
		for name in $$(sed -nE 's/^func (Fuzz[A-Za-z0-9_]+)\(.*/\1/p' $$file); do \
			echo "fuzz: $$name in $$(dirname $$file) for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $(FUZZFLAGS) ./$$(dirname $$file) || failed="$$failed $$name"; \
		done; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed (the inputs are in testdata/fuzz/ of their packages)"; exit 1; fi

.PHONY: race
race: setup ## go test -race on every package (PKGS), the slow ones too.
	$(GO) test -race -timeout $(TEST_TIMEOUT) $(TESTFLAGS) $(PKGS)

# The Go files the go command sees: not under testdata/, vendor/, or folders
# starting with . or _.
GOFILES_CMD := find . \( -name '.?*' -o -name '_*' -o -name testdata -o -name vendor \) -prune -o -name '*.go' -print

.PHONY: fmt-check
fmt-check: ## Fail if gofmt would change a file.
	@files=$$($(GOFILES_CMD)); \
	[ -z "$$files" ] && exit 0; \
	bad=$$(gofmt -l $$files); \
	if [ -n "$$bad" ]; then \
		echo "gofmt: these files are not formatted (make fmt fixes them):"; \
		echo "$$bad" | sed 's/^/  /'; \
		exit 1; \
	fi

.PHONY: fmt
fmt: ## Format every Go file with gofmt.
	@files=$$($(GOFILES_CMD)); [ -z "$$files" ] || gofmt -w $$files

.PHONY: vet
vet: setup ## Run go vet.
	$(GO) vet $(PKGS)

.PHONY: idle
idle: setup ## Measure the idle desk's CPU and memory under Xvfb (IDLE_SECONDS, default 60).
	PINSEDE_IDLE_SECONDS=$(or $(IDLE_SECONDS),60) $(GO) test -count=1 -run '^TestIdleCPU$$' -v ./cmd/sportello

.PHONY: bench
bench: setup ## Run the benchmarks into BENCH_OUT (bench.txt), summarised by benchstat.
	@$(MAKE) --no-print-directory $(TOOLS)/benchstat || echo "bench: benchstat could not be installed; raw results only"
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count $(BENCH_COUNT) -timeout 60m $(BENCHFLAGS) $(PKGS) | tee $(BENCH_OUT)
	@echo "bench: results in $(BENCH_OUT)"
	@if [ -x $(TOOLS)/benchstat ]; then echo; $(TOOLS)/benchstat $(BENCH_BASE) $(BENCH_OUT); fi

.PHONY: package
package: setup $(TOOLS)/fyne ## Build the Linux package dist/pinsede-sportello-VERSION-linux-ARCH.tar.xz.
	FYNE=$(TOOLS)/fyne DIST=$(DIST) TAGS='$(TAGS)' bash scripts/package.sh

.PHONY: deb
deb: setup $(TOOLS)/nfpm ## Build the .deb packages (centrale, pinctl, sportello, chiosco) into dist/ with nfpm.
	NFPM=$(TOOLS)/nfpm DIST=$(DIST) TAGS='$(TAGS)' VERSION='$(VERSION)' COMMIT='$(COMMIT)' BUILT='$(BUILT)' \
		bash scripts/deb.sh

.PHONY: deb-test
deb-test: deb ## Check the .deb packages, install them into a throw-away root and start centrale from it.
	DIST=$(DIST) bash scripts/deb-test.sh

.PHONY: image
image: setup ## Build centrale's container image (podman or docker), or check what it would run.
	VERSION='$(VERSION)' COMMIT='$(COMMIT)' BUILT='$(BUILT)' bash scripts/image.sh

.PHONY: icon
icon: ## Redraw assets/icon.png (ImageMagick; the PNG is committed).
	bash scripts/make-icon.sh assets/icon.png

.PHONY: tools
tools: $(TOOLS)/fyne $(TOOLS)/benchstat $(TOOLS)/nfpm ## Install the Go tools into .bin/.

$(TOOLS)/fyne:
	GOBIN=$(TOOLS) $(GO) install fyne.io/tools/cmd/fyne@$(FYNE_TOOL_VERSION)

$(TOOLS)/benchstat:
	GOBIN=$(TOOLS) $(GO) install golang.org/x/perf/cmd/benchstat@$(BENCHSTAT_VERSION)

$(TOOLS)/nfpm:
	GOBIN=$(TOOLS) $(GO) install github.com/goreleaser/nfpm/v2/cmd/nfpm@$(NFPM_VERSION)

include windows.mk

.PHONY: clean
clean: ## Remove built binaries and packages (bin/, dist/); keeps .bin/ tools.
	rm -rf $(BIN) $(DIST)
