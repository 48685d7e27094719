# A makecontext coroutine (makecontext traced, swapcontext refused).
$(call tt_case,stackswitch,def O0 now,stackswitch_main,ss,)
