# tests/tools/export/: what checks `impulse export`. The OTLP document is checked
# against the OpenTelemetry protocol's own definitions: opentelemetry-proto compiled
# by protobufjs, as @opentelemetry/otlp-transformer ships it; the Chrome document is
# loaded by the Chrome DevTools Performance panel's trace importer, which
# @paulirish/trace_engine publishes for node (npm; versions and dependencies pinned
# by package-lock.json here). `make export-validator`
# installs it into $(BUILD)/npm with `npm ci`; when npm or its registry cannot be
# reached it says so and the schema test SKIPs (the rest of the export tests run).
EXPORT_NPM := $(BUILD)/npm
EXPORT_VALIDATOR := $(EXPORT_NPM)/node_modules/.export-validator-installed

$(EXPORT_VALIDATOR): tests/tools/export/package.json tests/tools/export/package-lock.json
	@mkdir -p $(EXPORT_NPM)
	@cp tests/tools/export/package.json tests/tools/export/package-lock.json $(EXPORT_NPM)/
	@if ! command -v npm >/dev/null 2>&1; then \
	    echo "export-validator: npm not installed (Debian npm): the OTLP schema and Chrome importer tests will SKIP"; \
	elif (cd $(EXPORT_NPM) && npm ci --no-audit --no-fund --loglevel=error >npm.log 2>&1); then \
	    echo "  NPM     $(EXPORT_NPM) (@opentelemetry/otlp-transformer, @paulirish/trace_engine)"; touch $@; \
	else \
	    echo "export-validator: npm ci failed (registry unreachable?), see $(EXPORT_NPM)/npm.log:" \
	         "the OTLP schema and Chrome importer tests will SKIP"; \
	fi

.PHONY: export-validator
export-validator: $(EXPORT_VALIDATOR)
tests-build-all: export-validator
