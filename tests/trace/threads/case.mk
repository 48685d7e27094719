# More programs of the threads case (the case itself is in tests/tests.mk):
# 64 threads and threads that end in every way; thousands of short-lived threads.
$(eval $(call tt_prog,threads,def,threads_many,thr_leaf thr,-pthread))
$(eval $(call tt_prog,threads,def,threads_waves,thr_leaf thr,-pthread))
