# Structs and unions by value, the hidden return pointer, spills and varargs, in
# every link mode and at -O0 and -O2 (tests/trace/structs/test_structs.py).
$(call tt_case,structs,$(TT_ALL_VARIANTS),structs_main,structs,)
