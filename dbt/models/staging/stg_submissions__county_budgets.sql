-- stg_submissions__county_budgets on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- stg_submissions__county_budgets_sql in macros/figures/stg_submissions__county_budgets.sql, which stg_submissions__county_budgets_approved instantiates too.
{{ stg_submissions__county_budgets_sql('latest') }}
