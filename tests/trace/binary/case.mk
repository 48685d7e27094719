# The binary case (test_binary.py): strings for redact_pattern in every place a
# record shows one (arguments, an [out] parameter, an output, notes with escapes).
$(call tt_case,binary,def,br_main,br,)
