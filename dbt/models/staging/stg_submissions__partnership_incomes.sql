-- stg_submissions__partnership_incomes on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- stg_submissions__partnership_incomes_sql in macros/figures/stg_submissions__partnership_incomes.sql, which stg_submissions__partnership_incomes_approved instantiates too.
{{ stg_submissions__partnership_incomes_sql('latest') }}
