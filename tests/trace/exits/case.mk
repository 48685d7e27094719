# The exits tests: _exit, quick_exit, pthread_exit from main, exit from a thread.
$(call tt_case,exits,def,exits_main,ex,-pthread)
