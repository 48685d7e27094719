# callers: tail calls through data pointers, from a hooked function and from a
# destructor ld.so runs (tests/trace/callers/test_callers.py).
$(call tt_case,callers,def now,callers_main,cleaf ctail,-ldl)
$(foreach v,def now,$(eval $(call tt_lib,callers,$(v),cdtor,cleaf,)))
