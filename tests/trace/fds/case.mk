# The tracer's descriptors never reach the program's: a daemon that closes every
# descriptor and reopens 0-2, close_range then an output file at 1, fork children
# reopening 0-2 while their logger starts, and a program at its RLIMIT_NOFILE.
$(call tt_case,fds,def,fds_main,fdl,)
