# Out-parameters of failed calls (not filled) and successful ones; -O2 PIE and -O0.
$(call tt_case,outparam,def O0,outparam_main,,)
