# The setjmp family and getcontext/swapcontext hooked explicitly: refused, and
# the program runs as untraced (they return twice).
$(call tt_case,setjmp,def O0 now,setjmp_main,sj,)
