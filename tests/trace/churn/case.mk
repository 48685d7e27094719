# Thread churn: waves of 600 live threads with small stacks (issue 12).
$(call tt_case,churn,def,churn_main,churn,-pthread)
