-- policy_indicators on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- policy_indicators_sql in macros/figures/policy_indicators.sql, which policy_indicators_approved instantiates too.
{{ policy_indicators_sql('latest') }}
