# tests/unit/: C unit tests of the preload modules that stand on their own. Included
# from tests/tests.mk with "-include tests/unit/unit_tests.mk"; run by
# tests/unit/test_unit.py.
#
# Each $(UNIT_OUT)/<name> is built from tests/unit/<name>.c and the preload sources
# it tests, compiled here from source (objects under $(UNIT_OUT)/obj/, not the
# shared object's, so the tests do not depend on preload.mk's flags). The tests
# take the build's sanitizers (SAN=...). ring_tsan is ring_test.c again under
# ThreadSanitizer, whatever SAN says; when the compiler cannot link a
# -fsanitize=thread program, the rule writes $(UNIT_OUT)/ring_tsan.skip with the
# reason instead and the test reports that it skipped.

UNIT_SRC := tests/unit
UNIT_OUT := $(BUILD)/tests/unit
UNIT_INC := -Ipreload -Ipreload/arch/x86_64 -Iconfig -I$(UNIT_SRC)

# name: the preload sources it needs
UNIT_jsonw_test := preload/render/jsonw.c
UNIT_jsonw_golden_test := preload/render/jsonw.c
UNIT_ring_test :=
UNIT_calls_test := preload/render/calls.c preload/render/jsonw.c
UNIT_safe_copy_test := preload/lifecycle/fault.c preload/arch/x86_64/machine.c
UNIT_status_test := preload/render/status.c preload/render/jsonw.c preload/render/valw_bson.c preload/base/diag.c preload/base/diag_file.c preload/base/logdir.c
UNIT_fmtscan_test := preload/hooks/fmtscan.c preload/render/fmt_value.c preload/render/jsonw.c preload/render/valw_bson.c preload/base/diag.c preload/base/diag_file.c preload/base/logdir.c
UNIT_bufrender_test := preload/render/bufrender.c preload/render/valw.c preload/render/jsonw.c preload/render/valw_bson.c preload/base/diag.c preload/base/diag_file.c preload/base/logdir.c
UNIT_fd_high_test := preload/base/fd_high.c preload/base/fd_thread.c
UNIT_life_test := preload/base/life.c
UNIT_NAMES := jsonw_test jsonw_golden_test ring_test calls_test safe_copy_test status_test fmtscan_test \
	bufrender_test fd_high_test life_test

UNIT_LIBS_jsonw_test := $(JANSSON_LIBS) -lm
UNIT_LIBS_jsonw_golden_test := -lm
UNIT_LIBS_ring_test := -pthread
UNIT_LIBS_calls_test :=
UNIT_LIBS_safe_copy_test :=
UNIT_LIBS_status_test := $(JANSSON_LIBS) -ldl -lpthread -lm
UNIT_LIBS_fmtscan_test := $(JANSSON_LIBS) -ldl -lpthread -lm
UNIT_LIBS_bufrender_test := $(JANSSON_LIBS) -ldl -lpthread -lm
UNIT_LIBS_fd_high_test := -pthread
UNIT_LIBS_life_test :=
$(UNIT_OUT)/obj/jsonw_test.o: CFLAGS_EXTRA += $(JANSSON_CFLAGS)
$(UNIT_OUT)/obj/status_test.o $(UNIT_OUT)/obj/fmtscan_test.o \
$(UNIT_OUT)/obj/bufrender_test.o: CFLAGS_EXTRA += $(JANSSON_CFLAGS)
$(UNIT_OUT)/obj/ring_test.o: CFLAGS_EXTRA += -pthread
# valw_bson.c (the writer's BSON back end, reached by every renderer) needs libbson's headers.
$(UNIT_OUT)/obj/preload/render/valw_bson.o: UNIT_INC += $(BSON_CFLAGS)

unit_objs = $(UNIT_OUT)/obj/$(1).o $(patsubst preload/%.c,$(UNIT_OUT)/obj/preload/%.o,$(UNIT_$(1))) \
	$(if $(filter safe_copy_test,$(1)),$(UNIT_OUT)/obj/preload/arch/x86_64/safe_copy.o)

$(UNIT_OUT)/obj/%.o: $(UNIT_SRC)/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_BASE) $(UNIT_INC) $(CFLAGS_EXTRA) -c -o $@ $<

$(UNIT_OUT)/obj/preload/%.o: preload/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_BASE) $(UNIT_INC) -c -o $@ $<

$(UNIT_OUT)/obj/preload/%.o: preload/%.S
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AS      $<")
	$(Q)$(CC) $(CFLAGS_BASE) $(UNIT_INC) -c -o $@ $<

define unit_bin
$(UNIT_OUT)/$(1): $(call unit_objs,$(1))
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$(LDFLAGS_SAN) -o $$@ $$^ $$(UNIT_LIBS_$(1))
TESTS_BUILD += $(UNIT_OUT)/$(1)
endef
$(foreach n,$(UNIT_NAMES),$(eval $(call unit_bin,$(n))))

# ThreadSanitizer cannot be combined with the address sanitizer: drop SAN's flags.
UNIT_TSAN_CFLAGS := $(filter-out -fsanitize=%,$(CFLAGS_BASE)) -fsanitize=thread -fno-omit-frame-pointer

$(UNIT_OUT)/ring_tsan: $(UNIT_SRC)/ring_test.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CCLD    $@ (-fsanitize=thread)")
	$(Q)if echo 'int main(void) { return 0; }' | \
	    $(CC) -fsanitize=thread -x c -o $@.probe - >$@.probe.log 2>&1; then \
	  rm -f $@.probe $@.probe.log $@.skip; \
	  $(CC) $(UNIT_TSAN_CFLAGS) $(UNIT_INC) -pthread -MF $@.d -MT $@ -o $@ $< -pthread; \
	else \
	  { echo "$(CC) cannot link a -fsanitize=thread program:"; cat $@.probe.log; } >$@.skip; \
	  rm -f $@.probe $@.probe.log $@; \
	  echo "  SKIP    $@: $(CC) cannot link -fsanitize=thread (see $@.skip)"; \
	fi

TESTS_BUILD += $(UNIT_OUT)/ring_tsan
-include tests/unit/abi_unit.mk
-include tests/unit/valw_unit.mk
-include tests/unit/tsan_unit.mk
