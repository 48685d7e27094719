# A thread pool whose tasks, queued inside hooked calls, attach to them
# (impulse_context_capture/attach).
$(call tt_case,pool,def,pool_main,pool,-pthread)
