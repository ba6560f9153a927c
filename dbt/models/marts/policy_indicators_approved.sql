-- policy_indicators computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro policy_indicators_sql (macros/figures/policy_indicators.sql), shared with policy_indicators.
{{ policy_indicators_sql('approved') }}
