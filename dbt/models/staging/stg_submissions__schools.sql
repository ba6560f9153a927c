-- 职业院校名录 the school registry, one row per school and year.
-- The SQL is the macro stg_submissions__schools_sql (macros/figures/stg_submissions__schools.sql), shared with stg_submissions__schools_approved.
{{ stg_submissions__schools_sql('latest') }}
