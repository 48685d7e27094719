# tests/tools/tail/: tail_main, a traced program whose records land slowly, for
# `impulse tail -f` (test_tail.py).
TAIL_TEST_OUT := $(BUILD)/tests/tools/tail

$(TAIL_TEST_OUT)/libtl.so: tests/tools/tail/libtl.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(CFLAGS_BASE) -fPIC -shared -o $@ $< $(LDFLAGS_SAN)

$(TAIL_TEST_OUT)/tail_main: tests/tools/tail/tail_main.c $(TAIL_TEST_OUT)/libtl.so
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(CFLAGS_BASE) -o $@ $< -L$(@D) -ltl -Wl,-rpath,'$$ORIGIN' $(LDFLAGS_SAN)

TESTS_BUILD += $(TAIL_TEST_OUT)/libtl.so $(TAIL_TEST_OUT)/tail_main
