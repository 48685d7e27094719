# Choosing symbols: globs, library-qualified patterns, exclusions, [from=...], bare
# names, and impulse check (which also needs a static program, when libc.a exists).
$(call tt_case,select,def noplt now nopie,select_main,selb sela,-ldl)

SELECT_LIBC_A := $(shell $(CC) -print-file-name=libc.a)
ifndef SAN
ifneq ($(SELECT_LIBC_A),libc.a)
$(TT_OUT)/select/static_main: $(TT_SRC)/select/static_main.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) -O2 -static -o $@ $<
TESTS_BUILD += $(TT_OUT)/select/static_main
endif
endif
