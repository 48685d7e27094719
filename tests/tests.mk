# tests/: unit, config and trace tests, run by tests/run_tests.py.
#
# `make test` installs missing Debian packages (a recursive `make deps` first, so that
# the build then sees them), builds everything and the test programs, and runs every
# test. The trace programs and their libraries are built here, into
# $(BUILD)/tests/trace/<case>/<variant>/, each variant a link mode that changes how
# calls reach a hooked function:
#
#   def    the distribution default: PIE, lazy binding (PLT)
#   O0     the same at -O0
#   noplt  -fno-plt: calls through the GOT, no PLT
#   now    -Wl,-z,relro,-z,now: full RELRO, bound at start
#   nopie  -no-pie executable (libraries stay PIC)
#
# A case's libraries are built in each of its variants too, so calls from one library
# to another go through the same mode. Programs find their libraries with $ORIGIN.
# Other folders' tests add what they need built to TESTS_BUILD (e.g. config_tests.mk).

TT_SRC := tests/trace
TT_OUT := $(BUILD)/tests/trace
TESTS_BUILD :=

tt_cflags_def :=
tt_cflags_O0 := -O0
tt_cflags_noplt := -fno-plt
tt_cflags_now := -Wl,-z,relro,-z,now
tt_cflags_nopie := -fno-pie -no-pie
# Libraries are always PIC shared objects: -no-pie does not apply to them.
tt_libflags_def :=
tt_libflags_O0 := -O0
tt_libflags_noplt := -fno-plt
tt_libflags_now := -Wl,-z,relro,-z,now
tt_libflags_nopie :=

# $(call tt_lib,CASE,VARIANT,LIB,NEEDED-LIBS,EXTRA-FLAGS): lib<LIB>.so from lib<LIB>.c
define tt_lib
$(TT_OUT)/$(1)/$(2)/lib$(3).so: $(TT_SRC)/$(1)/lib$(3).c $(foreach l,$(4),$(TT_OUT)/$(1)/$(2)/lib$(l).so)
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  CCLD    $$@")
	$$(Q)$$(CC) $$(CFLAGS_BASE) $$(tt_libflags_$(2)) -fPIC -shared -I$(TT_SRC)/common -I$(TT_SRC)/$(1) \
	    -o $$@ $$< -L$$(@D) $(foreach l,$(4),-l$(l)) -Wl,-rpath,'$$$$ORIGIN' $(5) $$(LDFLAGS_SAN)
TESTS_BUILD += $(TT_OUT)/$(1)/$(2)/lib$(3).so
endef

# $(call tt_prog,CASE,VARIANT,PROG,LIBS,EXTRA-FLAGS): PROG from PROG.c, linked with LIBS
define tt_prog
$(TT_OUT)/$(1)/$(2)/$(3): $(TT_SRC)/$(1)/$(3).c $(foreach l,$(4),$(TT_OUT)/$(1)/$(2)/lib$(l).so)
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  CCLD    $$@")
	$$(Q)$$(CC) $$(CFLAGS_BASE) $$(tt_cflags_$(2)) -I$(TT_SRC)/common -I$(TT_SRC)/$(1) \
	    -o $$@ $$< -L$$(@D) $(foreach l,$(4),-l$(l)) -Wl,-rpath,'$$$$ORIGIN' $(5) $$(LDFLAGS_SAN)
TESTS_BUILD += $(TT_OUT)/$(1)/$(2)/$(3)
endef

# $(call tt_case,CASE,VARIANTS,PROG,LIBS-IN-LINK-ORDER,EXTRA-FLAGS)
# LIBS are given dependencies first: each library links against those before it.
define tt_case
$(foreach v,$(2),\
  $(foreach i,$(shell seq 1 $(words $(4))),\
    $(eval $(call tt_lib,$(1),$(v),$(word $(i),$(4)),$(wordlist 1,$(shell expr $(i) - 1),$(4)),$(5))))\
  $(eval $(call tt_prog,$(1),$(v),$(3),$(4),$(5))))
endef

TT_ALL_VARIANTS := def O0 noplt now nopie

# ABI: every argument and return class, in every link mode and at -O0 and -O2.
$(call tt_case,abi,$(TT_ALL_VARIANTS),abi_main,abi,-lm)
# Nested calls across two libraries (liba calls libb); also config features.
$(call tt_case,nested,$(TT_ALL_VARIANTS),nested_main,b a,)
# Four threads, and a thread started inside a hooked call.
$(call tt_case,threads,def,threads_main,thr_leaf thr,-pthread)
# A library opened with dlopen after start, calling a library loaded at start.
$(call tt_case,dlopen,def noplt now,dlopen_main,helper,-ldl)
$(foreach v,def noplt now,$(eval $(call tt_lib,dlopen,$(v),plugin,helper,)))
# malloc/free hooked, a million times.
$(call tt_case,malloc,def,malloc_main,,)
# A hooked call left by longjmp.
$(call tt_case,longjmp,def O0 now,longjmp_main,jmp,)
# Threads leaving hooked calls by pthread_cancel and pthread_exit.
$(call tt_case,cancel,def now,cancel_main,cancel,-pthread)
# Signals: the program's own SIGSEGV handler, a hooked call inside a signal handler.
$(call tt_case,signals,def,signals_main,sig,)
# Versioned symbols: two versions of one function, reached by version and by dlvsym.
# (The version script goes to the library only: a rule of its own, before the case's.)
TT_VER_MAP := -Wl,--version-script=$(TT_SRC)/versions/libver.map
$(foreach v,def now,$(eval $(call tt_lib,versions,$(v),ver,,$(TT_VER_MAP))))
$(foreach v,def now,$(eval $(call tt_prog,versions,$(v),versions_main,ver,-ldl)))
# A C++ exception thrown through hooked frames (C++ rules of their own).
CXX ?= g++
define tt_cxx
$(TT_OUT)/cxx/$(1)/libthrow.so: $(TT_SRC)/cxx/libthrow.cpp
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  CXXLD   $$@")
	$$(Q)$$(CXX) -O2 -g -Wall -Wextra -Werror $$(tt_libflags_$(1)) -fPIC -shared -o $$@ $$<
$(TT_OUT)/cxx/$(1)/cxx_main: $(TT_SRC)/cxx/cxx_main.cpp $(TT_OUT)/cxx/$(1)/libthrow.so
	@$$(if $$(Q),echo "  CXXLD   $$@")
	$$(Q)$$(CXX) -O2 -g -Wall -Wextra -Werror $$(tt_cflags_$(1)) -o $$@ $$< -L$$(@D) -lthrow \
	    -Wl,-rpath,'$$$$ORIGIN'
TESTS_BUILD += $(TT_OUT)/cxx/$(1)/libthrow.so $(TT_OUT)/cxx/$(1)/cxx_main
endef
$(foreach v,def O0 now,$(eval $(call tt_cxx,$(v))))
$(foreach v,def O0 now,$(TT_OUT)/cxx/$(v)/libthrow.so $(TT_OUT)/cxx/$(v)/cxx_main): $(TT_SRC)/cxx/my_error.h
# exec: the replaced image's records are written first.
$(call tt_case,exec,def,exec_main,exec_leaf,)
# errno as the program sees it, with a ring that fills.
$(call tt_case,errno,def,errno_main,err,-pthread)
# Calls through function pointers taken in the program and in a library.
$(call tt_case,pointers,def noplt now nopie,pointers_main,pb pa,)
# vfork children that exec or _exit.
$(call tt_case,vfork,def,vfork_main,vf,)
# A program that closes every descriptor and reuses the numbers.
$(call tt_case,closefds,def,closefds_main,cf,)
# impulse run, on the demo program.
TESTS_BUILD += $(DEMO_APP)
# The in-program API (include/impulse.h), from the program and from a library.
$(call tt_case,api,def,api_main,api,)

# A case may bring its own rules in tests/trace/<case>/case.mk (using tt_case).
-include $(wildcard tests/trace/*/case.mk)

# MongoDB: the libmongoc bulk client of the test server's tests and of bench/mongo/.
include tests/mongo/mongo.mk

-include tests/config/config_tests.mk
-include tests/unit/unit_tests.mk
-include tests/tools/tools_tests.mk
-include tests/tools/export/export_tests.mk
-include tests/tools/tail/tail.mk

# After the include: a rule's prerequisites are expanded when it is read.
tests-build: $(TESTS_BUILD)
tests-build-all: all tests-build

test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory tests-build-all
	IMPULSE_BUILD=$(abspath $(BUILD)) /usr/bin/python3 tests/run_tests.py $(TESTFLAGS)

.PHONY: tests-build tests-build-all
