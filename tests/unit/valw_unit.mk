# tests/unit/valw_unit.mk: the value writer's unit test (preload/render/valw.h, both back
# ends), included from tests/unit/unit_tests.mk (which defines UNIT_OUT and the
# object rules) and run by tests/unit/test_unit.py.
#
#   valw_test  every kind of value rendered as JSON (exact text) and as BSON
#              (libbson's canonical extended JSON, string bytes by bson_iter),
#              through the writer and through display, bufrender, fmtscan, status
#
# The preload sources reach libbson through dlopen (valw_bson.c); the test itself
# links libbson for bson_as_canonical_extended_json and bson_iter.

BSON_LIBS = $(shell pkg-config --libs libbson-1.0)

VALW_UNIT_SRCS := preload/render/valw.c preload/render/valw_bson.c preload/render/jsonw.c preload/base/diag.c preload/base/diag_file.c preload/base/logdir.c \
	preload/render/display.c preload/render/bufrender.c preload/hooks/fmtscan.c preload/render/fmt_value.c preload/render/status.c
VALW_UNIT_OBJS := $(patsubst preload/%.c,$(UNIT_OUT)/obj/preload/%.o,$(VALW_UNIT_SRCS))

$(UNIT_OUT)/obj/preload/render/valw_bson.o $(UNIT_OUT)/obj/valw_test.o: UNIT_INC += $(BSON_CFLAGS)
$(UNIT_OUT)/obj/valw_test.o: CFLAGS_EXTRA += $(JANSSON_CFLAGS)

$(UNIT_OUT)/valw_test: $(UNIT_OUT)/obj/valw_test.o $(VALW_UNIT_OBJS)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_SAN) -o $@ $^ $(BSON_LIBS) $(JANSSON_LIBS) -ldl -lpthread -lm

TESTS_BUILD += $(UNIT_OUT)/valw_test
