# The diagnostics test: a program that changes directory, then forks and execs
# itself, all traced with relative config and log paths (tests/trace/diag/).
$(call tt_case,diag,def,diag_main,,)
