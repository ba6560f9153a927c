-- 县区教育经费 county education budgets, one row per county and year.
-- The SQL is the macro stg_submissions__county_budgets_sql (macros/figures/stg_submissions__county_budgets.sql), shared with stg_submissions__county_budgets_approved.
{{ stg_submissions__county_budgets_sql('latest') }}
