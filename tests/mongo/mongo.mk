# tests/mongo/: the MongoDB test infrastructure (tests/lib/mongo_server.py is the server).
# Included from tests/tests.mk. mongo_bulk is a plain libmongoc bulk-insert client, used by
# tests/mongo/test_mongo_server.py and by bench/mongo/ (MONGO_BULK).
#
# libmongoc's headers come in with -isystem: its include directories are not system ones,
# and the project's -Werror warnings (-Wstrict-prototypes, …) must apply to our code only.

MONGO_SRC := tests/mongo
MONGO_OUT := $(BUILD)/tests/mongo
MONGO_BULK := $(MONGO_OUT)/mongo_bulk

MONGOC_CFLAGS = $(patsubst -I%,-isystem %,$(shell pkg-config --cflags libmongoc-1.0))
MONGOC_LIBS = $(shell pkg-config --libs libmongoc-1.0)

$(MONGO_BULK): $(MONGO_SRC)/mongo_bulk.c
	$(call need_pkg,libmongoc-1.0,libmongoc-dev)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(CFLAGS_BASE) $(MONGOC_CFLAGS) -pthread -o $@ $< $(MONGOC_LIBS) $(LDFLAGS_SAN)

TESTS_BUILD += $(MONGO_BULK)
