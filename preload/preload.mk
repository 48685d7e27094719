# preload/: the shared object. Only impulse_* is exported (preload/exports.map).
PRELOAD_PARTS := base hooks intercept hot render logger lifecycle
PRELOAD_SRCS := $(foreach p,$(PRELOAD_PARTS),$(wildcard preload/$(p)/*.c)) $(wildcard preload/arch/x86_64/*.c) $(wildcard preload/arch/x86_64/*.S)
PRELOAD_OBJS := $(patsubst %,$(BUILD)/%.o,$(basename $(PRELOAD_SRCS)))
LIBIMPULSE := $(BUILD)/libimpulse.so

# The renderer (render/) is a library of its own, shared with tools/: render.mk.
include preload/render/render.mk
PRELOAD_LINK_OBJS := $(filter-out $(RENDER_OBJS),$(PRELOAD_OBJS))

# libbson: its headers only (valw_bson.c opens the library with dlopen at first use, so
# libimpulse.so does not link it and the file logger pays nothing for it).
BSON_CFLAGS = $(shell pkg-config --cflags libbson-1.0)

$(PRELOAD_OBJS): CFLAGS_EXTRA += -fPIC -fvisibility=hidden -ftls-model=initial-exec $(JANSSON_CFLAGS) -Ipreload -Ipreload/arch/x86_64
$(BUILD)/preload/render/valw_bson.o $(BUILD)/preload/render/record_bson.o: CFLAGS_EXTRA += $(BSON_CFLAGS)
$(BUILD)/preload/render/valw_bson.o $(BUILD)/preload/render/record_bson.o: | check-bson-headers

$(LIBIMPULSE): $(PRELOAD_LINK_OBJS) $(RENDER_LIB) $(CONFIG_LIB) preload/exports.map
	$(call need_pkg,jansson,libjansson-dev)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -o $@ $(PRELOAD_LINK_OBJS) $(RENDER_LIB) $(CONFIG_LIB) $(LDFLAGS_SAN) \
	    -Wl,--version-script=preload/exports.map \
	    -Wl,--no-undefined,-z,now,-z,relro,-z,noexecstack \
	    $(JANSSON_LIBS) -ldl -lpthread

all: $(LIBIMPULSE)

.PHONY: check-bson-headers
check-bson-headers:
	$(call need_pkg,libbson-1.0,libbson-dev)

# The shipped prototype files (config/protos/*.conf) go beside libimpulse.so, in
# $(BUILD)/protos/, where libimpulse and impulse look for them (lifecycle/init.c, tools/base/locate.c).
PROTO_FILES := $(patsubst config/protos/%,$(BUILD)/protos/%,$(wildcard config/protos/*.conf))

$(BUILD)/protos/%.conf: config/protos/%.conf
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CP      $@")
	$(Q)cp $< $@

all: $(PROTO_FILES)

# libmongoc: its headers only, for the Mongo logger's files (mongoc_api.c opens the
# library with dlopen when logger = mongo|both starts; libimpulse.so does not link it).
MONGOC_PRELOAD_CFLAGS = $(patsubst -I%,-isystem %,$(shell pkg-config --cflags libmongoc-1.0))
$(BUILD)/preload/logger/mongoc_api.o $(BUILD)/preload/logger/sink_mongo.o: CFLAGS_EXTRA += $(MONGOC_PRELOAD_CFLAGS)
$(BUILD)/preload/logger/mongoc_api.o $(BUILD)/preload/logger/sink_mongo.o: | check-mongoc-headers

.PHONY: check-mongoc-headers
check-mongoc-headers:
	$(call need_pkg,libmongoc-1.0,libmongoc-dev)
