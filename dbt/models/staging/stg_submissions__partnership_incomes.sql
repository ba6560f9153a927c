-- 校企合作及社会服务收入 partnership and social-service income, one row per contract line.
-- The SQL is the macro stg_submissions__partnership_incomes_sql (macros/figures/stg_submissions__partnership_incomes.sql), shared with stg_submissions__partnership_incomes_approved.
{{ stg_submissions__partnership_incomes_sql('latest') }}
