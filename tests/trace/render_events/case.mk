# The render_events case (test_render_events.py): a threaded program with nested
# calls, notes, a failed call and pattern-hooked calls.
$(call tt_case,render_events,def,rev_main,rev_leaf rev,-pthread)
