# The golden case (test_golden.py): the exact bytes of records of every plain scalar.
$(call tt_case,golden,def,gold_main,gold,-lm)
