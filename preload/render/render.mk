# preload/render/: the renderer as a static library of PIC objects, linked into
# libimpulse.so (by the logger) and into the impulse command (render-events), so
# that both turn events into records with the same code. Included by preload.mk,
# which compiles these objects with the preload flags.
#
# The archive holds the render part and what it stands on from the parts below it
# (render/README.md's "May use:"): the printf-format walker and the capture plans
# (hooks/fmtscan, hooks/capture_plan) and the tracer's messages (base/diag,
# diag_file, logdir), none of which reads the tracer's state; and, for a renderer
# outside the process that must compile hooks as libimpulse did, where the ABI
# puts their arguments (arch abi). libimpulse.so lists those objects itself, so
# the linker takes only the render part from here.
RENDER_SRCS := $(wildcard preload/render/*.c)
RENDER_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(RENDER_SRCS))
RENDER_BELOW := $(patsubst %,$(BUILD)/preload/%.o,hooks/fmtscan hooks/capture_plan hooks/hook_compile \
	base/diag base/diag_file base/logdir arch/x86_64/abi)
RENDER_LIB := $(BUILD)/libimpulse_render.a
# What a program linking RENDER_LIB needs besides libc (libbson is opened with dlopen).
RENDER_LIBS = $(CONFIG_LIB) $(JANSSON_LIBS) -ldl -lpthread

$(RENDER_LIB): $(RENDER_OBJS) $(RENDER_BELOW)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $^

all: $(RENDER_LIB)

# impulse render-events (tools/debug/render_events.c) feeds this renderer: it
# includes the preload headers as preload/ does (after -Itools: no name is in both).
$(BUILD)/tools/debug/render_events.o: CFLAGS_EXTRA += -Ipreload -Ipreload/arch/x86_64
