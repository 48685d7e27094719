# Hostile input (tests/trace/hostile/test_hostile.py): bad pointers, a 100 MB
# string, redact_pattern, a variable named as a hook, prototypes that disagree.
$(call tt_case,hostile,def,hostile_main,hostile,)
# A program without libraries of its own (a set-user-ID program ignores $ORIGIN):
# the secure-execution test.
$(eval $(call tt_prog,hostile,def,secure_main,,-ldl))
