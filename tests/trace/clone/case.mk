# Children made by raw clone, clone(), _Fork and a syscall instruction, with and
# without CLONE_VM: traced like fork children, or counted, never a hang.
$(call tt_case,clone,def,clone_main,cl,-pthread)
