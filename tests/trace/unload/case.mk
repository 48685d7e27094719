# The unload test: libux opened and closed again and again (dlopen/dlclose) while
# another thread keeps calling libstay, which stays; libstay loaded at start.
$(call tt_case,unload,def now noplt,unload_main,stay,-ldl -pthread)
$(foreach v,def now noplt,$(eval $(call tt_lib,unload,$(v),ux,stay,)))
