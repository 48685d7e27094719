# tools/: the impulse command. tools/impulse.c dispatches to the subcommands, one
# folder per family of them (run, tail, tree, stats, export, push) over the shared
# parts (base, reader, view); each folder's README.md says what it owns and which
# parts it may use, and includes name the part ("reader/reader.h", hence -Itools).
# Linked with the hooks.conf library so that subcommands read configurations as
# libimpulse does.
TOOLS_SRCS := $(wildcard tools/*.c tools/*/*.c)
TOOLS_OBJS := $(TOOLS_SRCS:%.c=$(BUILD)/%.o)
IMPULSE_TOOL := $(BUILD)/impulse

$(TOOLS_OBJS): CFLAGS_EXTRA += -Itools $(JANSSON_CFLAGS)

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

TOOLS_MONGOC_OBJS := $(patsubst %.c,$(BUILD)/%.o,tools/push/push.c tools/push/record_bson.c \
	tools/reader/reader_mongo.c tools/base/mongo_init.c)
$(TOOLS_MONGOC_OBJS): CFLAGS_EXTRA += $(MONGOC_CFLAGS)
$(TOOLS_MONGOC_OBJS): | mongoc-check

# The record reader (tools/reader/) inflates gzip record files with zlib, and reads
# ahead on a thread of its own.
ZLIB_CFLAGS = $(shell pkg-config --cflags zlib)
ZLIB_LIBS = $(shell pkg-config --libs zlib)
$(BUILD)/tools/reader/reader_file.o: CFLAGS_EXTRA += $(ZLIB_CFLAGS)

# Binary record files (format = binary) are rendered with libimpulse's renderer
# (libimpulse_render.a), whose headers are the preload's.
$(BUILD)/tools/reader/reader_binary.o: CFLAGS_EXTRA += -Ipreload -Ipreload/arch/x86_64

# What the reader's tests and benchmark link (tests/tools/, bench/): its objects alone,
# and the one of base/ it calls (libmongoc's start-up). They include "reader.h" by its
# bare name, hence READER_CFLAGS.
READER_OBJS := $(patsubst %.c,$(BUILD)/%.o,tools/reader/reader.c tools/reader/reader_json.c \
	tools/reader/reader_text.c tools/reader/reader_file.c tools/reader/reader_mongo.c \
	tools/reader/reader_binary.c tools/base/mongo_init.c) $(RENDER_LIB)
READER_CFLAGS := -Itools -Itools/reader
READER_LIBS = $(RENDER_LIBS) $(CONFIG_LIB) $(JANSSON_LIBS) $(MONGOC_LIBS) $(ZLIB_LIBS) -pthread

.PHONY: mongoc-check
mongoc-check:
	$(call need_pkg,libmongoc-1.0,libmongoc-dev)
