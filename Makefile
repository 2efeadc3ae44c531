# Tend's two commands: `make run` (build, then serve with the demo clinic)
# and `make test` (every test: Go on SQLite and PostgreSQL, web, browser).

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
ADDR    ?= localhost:8080
DATA    ?= ./tend-data
# The device doors listen on free ports unless told otherwise (a Mosquitto may
# already hold 1883): tend prints where. E.g. make run MQTT=localhost:1884
MQTT    ?= localhost:0
MLLP    ?= localhost:0

.PHONY: run build web tend test test-go bench clean

run: build
	./bin/tend serve --demo --addr $(ADDR) --data-dir $(DATA) --mqtt-addr $(MQTT) --mllp-addr $(MLLP)

build: web tend

# The web app, built by Vite into internal/web/dist and embedded in the binary.
web: web/node_modules
	npm --prefix web run build

web/node_modules: web/package-lock.json
	npm --prefix web ci --no-audit --no-fund
	@touch web/node_modules

tend:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/tend ./cmd/tend

# Everything, as CI runs it; installs what is missing (PostgreSQL, Chromium).
test:
	scripts/test.sh

# Go tests only, with a throwaway PostgreSQL cluster.
test-go:
	scripts/with-postgres.sh $(GO) test ./...

bench:
	scripts/with-postgres.sh $(GO) test -run '^$$' -bench . -benchtime 3x ./...

clean:
	rm -rf bin internal/web/dist/assets internal/web/dist/index.html
