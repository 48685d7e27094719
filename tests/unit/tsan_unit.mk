# tests/unit/tsan_unit.mk: ThreadSanitizer tests beyond ring_tsan, included from
# tests/unit/unit_tests.mk (which defines UNIT_OUT, UNIT_INC, UNIT_TSAN_CFLAGS).
#
#   ring_wake_tsan         four producers with their thread contexts (4 KB rings)
#                          and one consumer: preload/hot/ring.h and thread_ctx.c's
#                          full-ring wait/wake protocol, under -fsanitize=thread
#   ring_wake_tsan_broken  the same with a deliberate bug (a relaxed load of head):
#                          ThreadSanitizer must report it (test_unit.py checks)
#
# ThreadSanitizer does not model a standalone fence (gcc says so with -Wtsan, turned
# off here): it checks the ring's data handoff and the atomics, not the Dekker-style
# fence pairing of waiting/tail, whose failure would cost a 2 ms futex timeout.
#
# `make tsan` builds and runs the ThreadSanitizer tests only. Where the compiler
# cannot link a -fsanitize=thread program, ring_tsan's rule has left
# ring_tsan.skip and the tests say they skipped.

RING_WAKE_SRCS := $(UNIT_SRC)/ring_wake_test.c preload/hot/thread_ctx.c preload/hot/altstack.c preload/base/tracer.c

define ring_wake_bin
$(UNIT_OUT)/$(1): $(RING_WAKE_SRCS) $(UNIT_OUT)/ring_tsan
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  CCLD    $$@ (-fsanitize=thread)")
	$$(Q)if [ -e $(UNIT_OUT)/ring_tsan.skip ]; then rm -f $$@; else \
	  $$(CC) $$(UNIT_TSAN_CFLAGS) -Wno-tsan $$(UNIT_INC) $(2) -pthread -MF $$@.d -MT $$@ -o $$@ $(RING_WAKE_SRCS) -pthread; fi
TESTS_BUILD += $(UNIT_OUT)/$(1)
endef
$(eval $(call ring_wake_bin,ring_wake_tsan,))
$(eval $(call ring_wake_bin,ring_wake_tsan_broken,-DRING_WAKE_BROKEN))

tsan: $(UNIT_OUT)/ring_tsan $(UNIT_OUT)/ring_wake_tsan $(UNIT_OUT)/ring_wake_tsan_broken
	IMPULSE_BUILD=$(abspath $(BUILD)) /usr/bin/python3 tests/run_tests.py -k tsan

.PHONY: tsan
