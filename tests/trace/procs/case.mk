# Processes: fork (inside and outside a hooked call, with threads mid-call), exec,
# posix_spawn, system, popen, vfork; the lineage links between their records.
$(call tt_case,procs,def,procs_main,pr,-pthread)
