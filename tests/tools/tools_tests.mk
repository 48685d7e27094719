# tests/tools/: programs that exercise the impulse command's helpers, run by
# tests/tools/test_*.py. reader_dump prints what tools/reader/ reads; reader_unit
# checks the scanner's edges.
TOOLS_TEST_OUT := $(BUILD)/tests/tools

$(TOOLS_TEST_OUT)/reader_dump.o: tests/tools/reader_dump.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_BASE) $(READER_CFLAGS) -c -o $@ $<

$(TOOLS_TEST_OUT)/reader_dump: $(TOOLS_TEST_OUT)/reader_dump.o $(READER_OBJS) $(CONFIG_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_SAN) -o $@ $(TOOLS_TEST_OUT)/reader_dump.o $(READER_OBJS) $(READER_LIBS)

TESTS_BUILD += $(TOOLS_TEST_OUT)/reader_dump

# reader_unit: the scanner's edges in C (tests/unit/check.h), with the build's sanitizers.
$(TOOLS_TEST_OUT)/reader_unit.o: tests/tools/reader_unit.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_BASE) $(READER_CFLAGS) -Itests/unit -c -o $@ $<

$(TOOLS_TEST_OUT)/reader_unit: $(TOOLS_TEST_OUT)/reader_unit.o $(READER_OBJS) $(CONFIG_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_SAN) -o $@ $(TOOLS_TEST_OUT)/reader_unit.o $(READER_OBJS) $(READER_LIBS)

TESTS_BUILD += $(TOOLS_TEST_OUT)/reader_unit
