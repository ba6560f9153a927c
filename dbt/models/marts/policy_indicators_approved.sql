-- policy_indicators on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- policy_indicators_sql in macros/figures/policy_indicators.sql, which policy_indicators instantiates too.
{{ policy_indicators_sql('approved') }}
