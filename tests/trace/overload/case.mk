# Overload (tests/trace/overload/test_overload.py): 10 million calls on 4 threads
# lossless, and on_full = drop with exact accounting. ovl_check streams the log
# file and checks every record without holding them all.
$(call tt_case,overload,def,overload_main,ovl_leaf ovl,-pthread)
$(eval $(call tt_prog,overload,def,ovl_check,,))
