# Séance: common tasks. CI runs .ci/run.
PG_URL ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable

.PHONY: run demo test test-pg test-browser lint build docker vendor bench-load

run:
	go run . serve

demo:
	go run . demo

test:
	go test -count=1 ./...

test-pg:
	TEST_DATABASE_URL='$(PG_URL)' go test -race -count=1 ./...

test-browser:
	go test -count=1 -v -timeout 30m -run Browser ./app/browsertest/...

lint:
	go vet ./...
	go test -count=1 ./internal/archtest
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	@command -v golangci-lint >/dev/null && golangci-lint run || echo "golangci-lint not installed: skipped"

# The load benchmark (tools/load): the main pages against the floor and ceiling baselines,
# fixed-rate runs and a ballot storm; several minutes. DATABASE_URL=postgres://… measures on
# PostgreSQL (a database holding only demo data). Its table goes into docs/BENCHMARKS.md.
bench-load:
	go run ./tools/load

build:
	CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o seance .

docker:
	docker build -t seance .

vendor:
	bash static/vendor/refresh.sh
