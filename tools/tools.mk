# tools/: the impulse command, one file per subcommand (tools/tool.h lists them),
# linked with the hooks.conf library so that subcommands read configurations as
# libimpulse does.
TOOLS_SRCS := $(wildcard tools/*.c)
TOOLS_OBJS := $(TOOLS_SRCS:%.c=$(BUILD)/%.o)
IMPULSE_TOOL := $(BUILD)/impulse

$(TOOLS_OBJS): CFLAGS_EXTRA += $(JANSSON_CFLAGS)

$(IMPULSE_TOOL): $(TOOLS_OBJS) $(RENDER_LIB) $(CONFIG_LIB)
	$(call need_pkg,jansson,libjansson-dev)
	$(call need_pkg,libmongoc-1.0,libmongoc-dev)
	$(call need_pkg,zlib,zlib1g-dev)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $(TOOLS_OBJS) $(RENDER_LIB) $(RENDER_LIBS) $(LDFLAGS_SAN) $(JANSSON_LIBS) $(MONGOC_LIBS) $(ZLIB_LIBS) -pthread

all: $(IMPULSE_TOOL)

# impulse push talks to MongoDB through libmongoc (Debian libmongoc-dev, libbson-dev).
# Only the tool links it: libimpulse.so does not.
MONGOC_CFLAGS = $(shell pkg-config --cflags libmongoc-1.0)
MONGOC_LIBS = $(shell pkg-config --libs libmongoc-1.0)

$(BUILD)/tools/push.o $(BUILD)/tools/record_bson.o $(BUILD)/tools/reader_mongo.o $(BUILD)/tools/mongo_init.o: CFLAGS_EXTRA += $(MONGOC_CFLAGS)
$(BUILD)/tools/push.o $(BUILD)/tools/record_bson.o $(BUILD)/tools/reader_mongo.o $(BUILD)/tools/mongo_init.o: | mongoc-check

# The record reader (tools/reader*.c) inflates gzip record files with zlib, and reads
# ahead on a thread of its own.
ZLIB_CFLAGS = $(shell pkg-config --cflags zlib)
ZLIB_LIBS = $(shell pkg-config --libs zlib)
$(BUILD)/tools/reader_file.o: CFLAGS_EXTRA += $(ZLIB_CFLAGS)

# What the reader's tests and benchmark link (tests/tools/, bench/): its objects alone.
READER_OBJS := $(patsubst %.c,$(BUILD)/%.o,tools/reader.c tools/reader_json.c \
	tools/reader_text.c tools/reader_file.c tools/reader_mongo.c tools/mongo_init.c)
READER_LIBS = $(CONFIG_LIB) $(MONGOC_LIBS) $(ZLIB_LIBS) -pthread

.PHONY: mongoc-check
mongoc-check:
	$(call need_pkg,libmongoc-1.0,libmongoc-dev)
