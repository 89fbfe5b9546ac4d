# The two commands: `make demo` runs the whole system locally, `make test` runs every test suite.
# Both set themselves up on a fresh clone: a private uv in .tools/, the locked environment in .venv/,
# the locked npm workspace in node_modules/, and the front ends built into each app's dist/.

PYTHON ?= python3
UV_VERSION := 0.13.8
UV := .tools/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: demo test install web web-install api-client test-python test-web lint typecheck clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --all-groups --python $(PYTHON)
	touch $@

install: $(VENV)/.installed

# The npm workspace: never downloads a browser (the browser suites use Debian's Chromium).
NPM_STAMP := node_modules/.installed
$(NPM_STAMP): package.json package-lock.json packages/shared/package.json frontend/package.json landing/package.json pwa/package.json
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	touch $@

web-install: $(NPM_STAMP)

# A front end is rebuilt when its sources or the shared package changed.
SHARED_SOURCES := $(shell find packages/shared/src -type f 2>/dev/null)
FRONTEND_SOURCES := $(shell find frontend/src frontend/public -type f 2>/dev/null) frontend/index.html frontend/vite.config.ts frontend/tsconfig.json

frontend/dist/index.html: $(NPM_STAMP) $(SHARED_SOURCES) $(FRONTEND_SOURCES)
	npm run build -w frontend

# The landing site (static Astro pages); LANDING_SITE_URL names its public origin in canonical
# links and the sitemap (default: the local `orbit dev` address).
LANDING_SOURCES := $(shell find landing/src landing/public -type f 2>/dev/null) landing/astro.config.mjs landing/tsconfig.json

landing/dist/index.html: $(NPM_STAMP) $(SHARED_SOURCES) $(LANDING_SOURCES)
	npm run build -w landing

# The point of sale (Vite and its service worker, served under /pos/).
PWA_SOURCES := $(shell find pwa/src pwa/public -type f 2>/dev/null) pwa/index.html pwa/vite.config.ts pwa/tsconfig.json

pwa/dist/index.html: $(NPM_STAMP) $(SHARED_SOURCES) $(PWA_SOURCES)
	npm run build -w pwa

web: frontend/dist/index.html landing/dist/index.html pwa/dist/index.html

# The typed API client, from the OpenAPI document the app declares (no server needed).
api-client: install $(NPM_STAMP)
	$(BIN)/orbit openapi --output .openapi.json
	npx openapi-typescript .openapi.json -o packages/shared/src/api/schema.d.ts
	rm -f .openapi.json

demo: install web
	$(BIN)/orbit dev

test: test-python test-web

# The proxy's test (tests/deploy/test_proxy.py) serves the built front ends: they are built first.
test-python: install web
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

# Unit tests (vitest), type checks, then the browser suites in Debian's Chromium against the real
# server. CHROMIUM_PATH overrides where Chromium is; a missing browser fails, never skips.
test-web: install web
	npm run typecheck
	npx vitest run
	npx playwright test

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .tools .pytest_cache .ruff_cache .mypy_cache node_modules frontend/dist landing/dist landing/.astro test-results .orbit-web-*
