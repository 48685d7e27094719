# tools/: the impulse command, one file per subcommand (tools/tool.h lists them),
# linked with the hooks.conf library so that subcommands read configurations as
# libimpulse does.
TOOLS_SRCS := $(wildcard tools/*.c)
TOOLS_OBJS := $(TOOLS_SRCS:%.c=$(BUILD)/%.o)
IMPULSE_TOOL := $(BUILD)/impulse

$(TOOLS_OBJS): CFLAGS_EXTRA += $(JANSSON_CFLAGS)

$(IMPULSE_TOOL): $(TOOLS_OBJS) $(CONFIG_LIB)
	$(call need_pkg,jansson,libjansson-dev)
	$(call need_pkg,libmongoc-1.0,libmongoc-dev)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $(TOOLS_OBJS) $(CONFIG_LIB) $(LDFLAGS_SAN) $(JANSSON_LIBS) $(MONGOC_LIBS)

all: $(IMPULSE_TOOL)

# impulse push talks to MongoDB through libmongoc (Debian libmongoc-dev, libbson-dev).
# Only the tool links it: libimpulse.so does not.
MONGOC_CFLAGS = $(shell pkg-config --cflags libmongoc-1.0)
MONGOC_LIBS = $(shell pkg-config --libs libmongoc-1.0)

$(BUILD)/tools/push.o $(BUILD)/tools/record_bson.o: CFLAGS_EXTRA += $(MONGOC_CFLAGS)
$(BUILD)/tools/push.o $(BUILD)/tools/record_bson.o: | mongoc-check

.PHONY: mongoc-check
mongoc-check:
	$(call need_pkg,libmongoc-1.0,libmongoc-dev)
