# The capture test: buffers, out-parameters, arrays, struct pointers, varargs,
# display attributes, error rules, structs by value; -O2 PIE and -O0 -fno-plt.
$(call tt_case,capture,def noplt,capture_main,cap,)
