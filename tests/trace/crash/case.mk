# The crash tests: deaths by signal inside hooked calls, the program's own handlers.
$(call tt_case,crash,def,crash_main,cr,-pthread)
