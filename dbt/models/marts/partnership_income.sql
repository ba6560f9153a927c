-- 校企合作及社会服务收入 partnership income per school, year, cooperation type and income
-- category (policy-rules.md §4).
-- The SQL is the macro partnership_income_sql (macros/figures/partnership_income.sql), shared with partnership_income_approved.
{{ partnership_income_sql('latest') }}
