-- stg_submissions__county_budgets computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro stg_submissions__county_budgets_sql (macros/figures/stg_submissions__county_budgets.sql), shared with stg_submissions__county_budgets.
{{ stg_submissions__county_budgets_sql('approved') }}
