# The Mongo logger's outage test: a program of N hooked usleep calls (tests/trace/mongo/).
$(call tt_case,mongo,def,mongo_main,,)
