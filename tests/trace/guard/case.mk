# Reads of the program's memory bounded by what exists: a coroutine under a guard
# page, a prototype claiming a 200 KB struct by value; -O2 PIE and -O0.
$(call tt_case,guard,def O0,guard_main,,)
