# More programs of the signals case (the case itself is in tests/tests.mk): handlers
# calling hooked functions on the same and on alternate stacks; SA_RESTART.
$(eval $(call tt_prog,signals,def,sigstack_main,sig,-pthread))
$(eval $(call tt_prog,signals,def,restart_main,sig,-pthread))
$(eval $(call tt_prog,signals,def,storm_main,sig,-pthread))
