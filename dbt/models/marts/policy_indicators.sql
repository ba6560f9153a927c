-- 政策指标 the policy indicators of policy-rules.md §7 in one long table: one row per year,
-- indicator and scope (city 220200, county or school), with the previous year's value of the
-- same scope, the change, and whether the direction the policy asks for is met. Clauses and
-- directions live in seed policy_indicator_rules (one row per indicator).
-- Which scopes a year has: city and every county with a registered school that year
-- (a school registered under the city's own code counts for the city only); school scopes
-- are the schools with the figure's submissions.
-- The SQL is the macro policy_indicators_sql (macros/figures/policy_indicators.sql), shared with policy_indicators_approved.
{{ policy_indicators_sql('latest') }}
