# tests/config/: the hooks.conf test tool. Included from tests/tests.mk with
# "-include tests/config/config_tests.mk". The cases in tests/config/cases/ are run by
# tests/config/test_config_cases.py, which needs $(BUILD)/tests/cfgdump.
CFGDUMP := $(BUILD)/tests/cfgdump

$(BUILD)/tests/config/cfgdump.o: CFLAGS_EXTRA += $(JANSSON_CFLAGS)

$(CFGDUMP): $(BUILD)/tests/config/cfgdump.o $(CONFIG_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_SAN) -o $@ $^ $(JANSSON_LIBS)

TESTS_BUILD += $(CFGDUMP)

# Unit tests of the API around the parser (appending, rollback, cfg_set).
CFG_UNIT := $(BUILD)/tests/cfg_unit

$(CFG_UNIT): $(BUILD)/tests/config/cfg_unit.o $(CONFIG_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_SAN) -o $@ $^ $(JANSSON_LIBS)

TESTS_BUILD += $(CFG_UNIT)

# Unit tests of config/mongo_uri.c and the mongo_* settings.
MONGO_URI_UNIT := $(BUILD)/tests/mongo_uri_unit

$(MONGO_URI_UNIT): $(BUILD)/tests/config/mongo_uri_unit.o $(CONFIG_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_SAN) -o $@ $^ $(JANSSON_LIBS)

TESTS_BUILD += $(MONGO_URI_UNIT)

# Unit tests of config/redact_pattern.c: the redact_pattern language (tests/config/test_redact_unit.py).
REDACT_UNIT := $(BUILD)/tests/redact_unit

$(REDACT_UNIT): $(BUILD)/tests/config/redact_unit.o $(CONFIG_LIB)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_SAN) -o $@ $^ $(JANSSON_LIBS)

TESTS_BUILD += $(REDACT_UNIT)
