# Disk use: the log file on a full filesystem, max_log_size, min_free_space, chroot.
$(call tt_case,disk,def,disk_main,disk,)
