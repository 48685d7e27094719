# examples/: the demo program traced by `make demo`. demo_app calls libdemo.so
# (found beside it through $ORIGIN) across the PLT, which is where hooks go.
EX_OUT := $(BUILD)/examples
DEMO_APP := $(EX_OUT)/demo_app
DEMO_LIB := $(EX_OUT)/libdemo.so
DEMO_LOGS := $(BUILD)/demo-logs

$(EX_OUT)/libdemo.o: CFLAGS_EXTRA += -fPIC -Iexamples
$(EX_OUT)/demo_app.o: CFLAGS_EXTRA += -Iexamples

$(DEMO_LIB): $(EX_OUT)/libdemo.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared -o $@ $< -lpthread $(LDFLAGS_SAN)

$(DEMO_APP): $(EX_OUT)/demo_app.o $(DEMO_LIB)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -o $@ $< -L$(EX_OUT) -ldemo -Wl,-rpath,'$$ORIGIN' $(LDFLAGS_SAN)

# One record per line, cut to what a reader looks at first.
DEMO_JQ := {fn: .payload.function.name, args: .payload.arguments, out: .payload.output, \
  status: .payload.status, parent: (.payload.stack_trace.parents[-1].fn_name // null), \
  logs: [.payload.trace_logs[]?.payload]}

# Untraced, then traced: the program's output and exit status must be the same both
# times. impulse's own lines (stderr) are shown after the program's.
demo: all $(DEMO_APP)
	@echo "== untraced: $(DEMO_APP)"
	@$(DEMO_APP) > $(EX_OUT)/untraced.out; echo "(exit status $$?)" >> $(EX_OUT)/untraced.out
	@cat $(EX_OUT)/untraced.out
	@echo
	@echo "== traced: $(IMPULSE_TOOL) run -c examples/hooks.conf -o $(DEMO_LOGS) -- $(DEMO_APP)"
	@rm -rf $(DEMO_LOGS)
	@$(IMPULSE_TOOL) run -c examples/hooks.conf -o $(DEMO_LOGS) -- $(DEMO_APP) \
	    > $(EX_OUT)/traced.out 2> $(EX_OUT)/traced.err; echo "(exit status $$?)" >> $(EX_OUT)/traced.out
	@cat $(EX_OUT)/traced.out $(EX_OUT)/traced.err
	@if cmp -s $(EX_OUT)/untraced.out $(EX_OUT)/traced.out; then \
	  echo "== same output and exit status with and without the tracer"; \
	else \
	  echo "== the tracer changed the program's output or exit status:"; \
	  diff $(EX_OUT)/untraced.out $(EX_OUT)/traced.out; exit 1; \
	fi
	@echo
	@echo "== $(IMPULSE_TOOL) tree $(DEMO_LOGS): the calls as a tree"
	@$(IMPULSE_TOOL) tree --no-pager --color=never $(DEMO_LOGS)
	@echo
	@echo "== $(IMPULSE_TOOL) stats $(DEMO_LOGS): where the time went"
	@$(IMPULSE_TOOL) stats --color=never $(DEMO_LOGS)
	@echo
	@echo "== the records ($(DEMO_LOGS)/*.json, one per completed call), cut to a few fields"
	@if command -v jq >/dev/null 2>&1; then \
	  jq -c '$(DEMO_JQ)' $(DEMO_LOGS)/*.json; \
	else \
	  cat $(DEMO_LOGS)/*.json; \
	fi
