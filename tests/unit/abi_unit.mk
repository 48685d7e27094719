# tests/unit/abi_unit.mk: the x86-64 ABI unit tests (preload/arch/x86_64), included
# from tests/unit/unit_tests.mk (which defines UNIT_OUT and the object rules) and run
# by tests/unit/test_abi_unit.py.
#
#   abi_classify_test  arch_locate_args against the ABI document, and the frame
#                      readers on a synthetic frame
#   abi_frame_test     real calls compiled by gcc, through the real trampoline
#                      (trampoline.S) with test versions of impulse_hook_enter/exit

ABI_UNIT_ARCH := $(UNIT_OUT)/obj/preload/arch/x86_64/abi.o $(UNIT_OUT)/obj/preload/arch/x86_64/frame_read.o \
	$(UNIT_OUT)/obj/preload/arch/x86_64/safe_copy.o

$(UNIT_OUT)/abi_classify_test: $(UNIT_OUT)/obj/abi_classify_test.o $(ABI_UNIT_ARCH)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_SAN) -o $@ $^

$(UNIT_OUT)/abi_frame_test: $(UNIT_OUT)/obj/abi_frame_test.o $(ABI_UNIT_ARCH) \
		$(UNIT_OUT)/obj/preload/arch/x86_64/trampoline.o
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(LDFLAGS_SAN) -o $@ $^

TESTS_BUILD += $(UNIT_OUT)/abi_classify_test $(UNIT_OUT)/abi_frame_test
