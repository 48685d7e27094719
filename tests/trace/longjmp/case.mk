# More programs of the longjmp case (the case itself is in tests/tests.mk): hooked
# calls left by siglongjmp out of a SIGSEGV handler when the program ends.
$(eval $(call tt_prog,longjmp,def,leave_main,jmp,))
