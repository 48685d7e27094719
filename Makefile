# libimpulse — one top-level GNU Makefile; each folder adds its part in <folder>/<folder>.mk.
# Objects go to build/, header dependencies come from -MMD -MP, quiet unless V=1,
# SAN=address,undefined (or thread) builds with sanitizers into build-san/.

ifeq ($(origin CC),default)
CC := gcc
endif

ifdef SAN
BUILD ?= build-$(subst $(comma),-,$(SAN))
else
BUILD ?= build
endif
comma := ,

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wwrite-strings -Wundef
OPT ?= -O2 -g
CFLAGS_BASE := -std=gnu11 $(OPT) $(WARN) -D_GNU_SOURCE -MMD -MP -Iinclude -Iconfig
ifdef SAN
CFLAGS_BASE += -fsanitize=$(SAN) -fno-omit-frame-pointer
LDFLAGS_SAN := -fsanitize=$(SAN)
endif

ifeq ($(V),1)
Q :=
else
Q := @
endif

# Build dependencies come from pkg-config; a missing one names the Debian package.
define need_pkg
$(if $(shell pkg-config --exists $(1) && echo yes),,$(error $(1) not found by pkg-config: run 'make deps' (Debian package $(2))))
endef

JANSSON_CFLAGS = $(shell pkg-config --cflags jansson)
JANSSON_LIBS = $(shell pkg-config --libs jansson)

.PHONY: all deps test demo bench clean check-deps
all:

include config/config.mk
include preload/preload.mk
include tools/tools.mk
include examples/examples.mk
include tests/tests.mk
include bench/bench.mk

# Debian packages the build, the tests and the benchmarks need (sqlite3 and curl: the real
# programs of tests/trace/realprog3; libsqlite3-dev and libssl-dev: the headers the shipped
# prototype files' values are checked against; libmongoc-dev, libbson-dev: the Mongo
# logger and impulse push; python3-mockupdb, python3-mongomock, python3-pymongo: the tests' MongoDB-protocol
# server and its independent reader, tests/lib/mongo_server.py; python3-bson-ext and
# python3-pymongo-ext: their C codecs, ~10x faster than the pure-Python ones that the
# server otherwise runs on). Installs only what is missing,
# waiting up to 5 minutes for the dpkg lock if another apt-get holds it.
DEB_PACKAGES := gcc g++ make pkg-config libjansson-dev jq ltrace uftrace python3 file libc6-dev binutils coreutils \
                sqlite3 curl libsqlite3-dev libssl-dev \
                libmongoc-dev libbson-dev python3-mockupdb python3-mongomock python3-pymongo \
                python3-bson-ext python3-pymongo-ext
# zlib1g-dev: the standard library for gzip, which the record reader (tools/reader/reader_file.c) inflates.
DEB_PACKAGES += zlib1g-dev
# valgrind: tests/trace/hostile/test_valgrind.py runs traced programs under memcheck.
DEB_PACKAGES += valgrind
# groff-base: tests/tools/man checks that the manual pages (doc/impulse.1, doc/hooks.conf.5) format cleanly.
DEB_PACKAGES += groff-base
# nodejs: tests/tools/export checks the exports with node, against the OTLP schema
# (opentelemetry-proto) and the Chrome DevTools trace engine, installed from npm by
# `make export-validator`. npm comes with nodejs builds that bundle it; where the
# command is missing, deps installs Debian's npm package (not listed here: it would
# conflict with such builds).
DEB_PACKAGES += nodejs
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get -o DPkg::Lock::Timeout=300 update -qq && DEBIAN_FRONTEND=noninteractive \
	    $$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi ; \
	if ! command -v npm >/dev/null; then \
	  echo "make deps: installing npm"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
	    --no-install-recommends npm >/dev/null || echo "make deps: npm could not be installed: the export checks that need it will say SKIP"; \
	fi

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_BASE) $(CFLAGS_EXTRA) -c -o $@ $<

$(BUILD)/%.o: %.S
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(CFLAGS_BASE) $(CFLAGS_EXTRA) -c -o $@ $<

clean:
	rm -rf build build-* .impulselogs

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# make install [PREFIX=/usr/local] [DESTDIR=]: the command, the library, the shipped
# prototype files where both look for them (../share/libimpulse/protos from bin/ and
# lib/), the API header and the manual pages: impulse(1) and hooks.conf(5). The Markdown
# pages of doc/ are the long forms of these (tests/tools/man checks they agree).
PREFIX ?= /usr/local
.PHONY: install
install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include \
	    $(DESTDIR)$(PREFIX)/share/libimpulse/protos $(DESTDIR)$(PREFIX)/share/man/man1 \
	    $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 0755 $(IMPULSE_TOOL) $(DESTDIR)$(PREFIX)/bin/impulse
	install -m 0755 $(LIBIMPULSE) $(DESTDIR)$(PREFIX)/lib/libimpulse.so
	install -m 0644 $(PROTO_FILES) $(DESTDIR)$(PREFIX)/share/libimpulse/protos/
	install -m 0644 include/impulse.h $(DESTDIR)$(PREFIX)/include/impulse.h
	install -m 0644 doc/impulse.1 $(DESTDIR)$(PREFIX)/share/man/man1/impulse.1
	install -m 0644 doc/hooks.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5/hooks.conf.5
