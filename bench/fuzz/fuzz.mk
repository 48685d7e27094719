# bench/fuzz/: a libFuzzer target for the hooks.conf parser (config/).
#
#   make fuzz                    # 180 s
#   make fuzz FUZZ_SECONDS=600
#
# `fuzz` installs clang and its libFuzzer runtime if they are missing (fuzz-deps,
# kept out of the main `deps`: only this target needs them), compiles config/*.c
# and the target with clang and -fsanitize=fuzzer,address,undefined into
# $(BUILD)/fuzz/ (objects of their own: the main build stays gcc), then runs it for
# FUZZ_SECONDS from the seeds (every tests/config/cases/*/hooks.conf) with the
# language's dictionary. It ends with the executions per second and coverage, and
# fails on a crash, leak or hang, whose input stays in bench/fuzz/crashes/.

FUZZ_SECONDS ?= 180
FUZZ_CC ?= clang
FUZZ_DIR := $(BUILD)/fuzz
FUZZ_BIN := $(FUZZ_DIR)/fuzz_config
FUZZ_SEEDS := $(FUZZ_DIR)/seeds
FUZZ_CRASHES := bench/fuzz/crashes
FUZZ_DEB_PACKAGES := clang libclang-rt-dev

FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# Warnings without -Werror for config/: a clang-only warning there must not stop a
# fuzz run (the gcc build holds config/ to -Werror).
FUZZ_CFLAGS := -std=gnu11 -O1 -g -D_GNU_SOURCE -Iinclude -Iconfig $(FUZZ_SAN) \
               -Wall -Wextra $(JANSSON_CFLAGS)

# Until config/ defines cfg_resolve() and cfg_set_proto_dir() (issue 3's parser),
# the target calls only what exists; these turn the calls on when they appear.
FUZZ_CONFIG_SRCS := $(wildcard config/*.c)
ifneq ($(shell grep -ls '^int cfg_resolve\b' $(FUZZ_CONFIG_SRCS)),)
FUZZ_DEFS += -DFUZZ_HAVE_RESOLVE
endif
ifneq ($(shell grep -ls '^int cfg_set_proto_dir\b' $(FUZZ_CONFIG_SRCS)),)
ifneq ($(wildcard config/protos),)
FUZZ_DEFS += -DFUZZ_PROTO_DIR='"$(abspath config/protos)"'
endif
endif

FUZZ_CONFIG_OBJS := $(FUZZ_CONFIG_SRCS:config/%.c=$(FUZZ_DIR)/obj/%.o)

# config/ objects get coverage for the fuzzer without its main().
$(FUZZ_DIR)/obj/%.o: config/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CLANG   $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c -o $@ $<

$(FUZZ_DIR)/obj/fuzz_config.o: bench/fuzz/fuzz_config.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CLANG   $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -Werror $(FUZZ_DEFS) -fsanitize=fuzzer -MMD -MP -c -o $@ $<

$(FUZZ_BIN): $(FUZZ_DIR)/obj/fuzz_config.o $(FUZZ_CONFIG_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ $(JANSSON_LIBS)

# The defines depend on what config/ holds: rebuild the target when they change.
$(FUZZ_DIR)/obj/fuzz_config.o: $(FUZZ_DIR)/defs
$(FUZZ_DIR)/defs: FORCE_FUZZ_DEFS
	@mkdir -p $(@D)
	@echo '$(FUZZ_DEFS)' | cmp -s - $@ || echo '$(FUZZ_DEFS)' >$@
.PHONY: FORCE_FUZZ_DEFS

# Seeds: one file per config test case, named after it.
fuzz-seeds:
	@rm -rf $(FUZZ_SEEDS) && mkdir -p $(FUZZ_SEEDS)
	@for f in tests/config/cases/*/hooks.conf; do \
	  cp "$$f" $(FUZZ_SEEDS)/$$(basename $$(dirname "$$f")).conf; \
	done

fuzz-deps:
	@missing=""; for p in $(FUZZ_DEB_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make fuzz-deps: installing$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

fuzz-build: $(FUZZ_BIN)

fuzz:
	$(Q)$(MAKE) --no-print-directory fuzz-deps
	$(Q)$(MAKE) --no-print-directory fuzz-build fuzz-seeds
	$(Q)bench/fuzz/run_fuzz.sh $(abspath $(FUZZ_BIN)) $(FUZZ_SECONDS) $(abspath $(FUZZ_DIR)) \
	    $(abspath $(FUZZ_SEEDS)) $(abspath bench/fuzz/hooks.dict) $(abspath $(FUZZ_CRASHES))

.PHONY: fuzz fuzz-deps fuzz-build fuzz-seeds
