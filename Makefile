# Concierge — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
GO    ?= go
TAGS  := webkit2_41
BIN   := build/bin/concierge

.PHONY: run test build frontend deps deps-test bench bench-go bench-ui bench-desktop demo switchboard clean

run: deps build ## install what is missing, build, start the console (embedded switchboard)
	$(BIN)

test: deps-test ## install what is missing, run every test
	@bash test/run-all.sh

# As prerequisites, not sub-makes: one run installs and builds the front-end once for all three.
bench: bench-go bench-ui bench-desktop ## every benchmark below

bench-go: deps-test ## Go benchmarks, SIPp load runs (300 callers on hold, 200 set-ups/s), 1000 Go callers on hold for 60 s
	$(GO) test -run '^$$' -bench . -benchmem ./backend/...
	set -o pipefail; $(GO) test -count=5 -run 'TestDeviceRoundTripLatency|TestSoftphoneThroughPulse' -v ./backend/audio/ | grep -E 'latency|round trip|steady state|^(--- FAIL|FAIL|ok)'
	SWITCHBOARD_LOAD=300 $(GO) test -count=1 -run TestLoadMusicOnHold -v ./backend/switchboard/
	SWITCHBOARD_CPS=200 $(GO) test -count=1 -run TestLoadCallSetupRate -v ./backend/switchboard/
	SWITCHBOARD_LOAD_GO=1000 $(GO) test -count=1 -timeout 20m -run TestLoadGenerator1000 -v ./backend/loadgen/

bench-desktop: deps-test frontend ## the desktop window: start to first paint with cached data, idle PSS, against an empty Wails app
	node test/bench/console.mjs

bench-ui: deps-test build ## the UI in Chromium: keystroke → results with 100 000 contacts, call → row, long tasks
	cd test/e2e && node ../perf/ui.mjs

deps:
	@build/deps.sh run

deps-test:
	@build/deps.sh test

frontend:
	cd frontend && npm run build

# The console binary; wails build also writes the Linux desktop integration.
build: frontend
	$(GO) tool wails build -tags $(TAGS) -s -skipbindings -o concierge

switchboard: ## the headless switchboard (pure Go)
	CGO_ENABLED=0 $(GO) build -o build/bin/switchboard ./backend/cmd/switchboard

clean:
	rm -rf build/bin frontend/dist test/artifacts
