# tools/: the impulse command, one file per subcommand (tools/tool.h lists them),
# linked with the hooks.conf library so that subcommands read configurations as
# libimpulse does.
TOOLS_SRCS := $(wildcard tools/*.c)
TOOLS_OBJS := $(TOOLS_SRCS:%.c=$(BUILD)/%.o)
IMPULSE_TOOL := $(BUILD)/impulse

$(TOOLS_OBJS): CFLAGS_EXTRA += $(JANSSON_CFLAGS)

$(IMPULSE_TOOL): $(TOOLS_OBJS) $(CONFIG_LIB)
	$(call need_pkg,jansson,libjansson-dev)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $(TOOLS_OBJS) $(CONFIG_LIB) $(LDFLAGS_SAN) $(JANSSON_LIBS)

all: $(IMPULSE_TOOL)
