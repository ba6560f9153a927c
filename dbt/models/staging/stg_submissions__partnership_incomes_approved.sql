-- stg_submissions__partnership_incomes computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro stg_submissions__partnership_incomes_sql (macros/figures/stg_submissions__partnership_incomes.sql), shared with stg_submissions__partnership_incomes.
{{ stg_submissions__partnership_incomes_sql('approved') }}
