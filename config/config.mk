# config/: the hooks.conf language, built as a static library of PIC objects that
# preload/ links into libimpulse.so and tools/ link into the commands.
CONFIG_SRCS := $(wildcard config/*.c)
CONFIG_OBJS := $(CONFIG_SRCS:%.c=$(BUILD)/%.o)
CONFIG_LIB := $(BUILD)/libimpulse_config.a

$(CONFIG_OBJS): CFLAGS_EXTRA += -fPIC -fvisibility=hidden $(JANSSON_CFLAGS)

$(CONFIG_LIB): $(CONFIG_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

all: $(CONFIG_LIB)
