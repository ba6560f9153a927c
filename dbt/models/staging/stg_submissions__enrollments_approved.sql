-- stg_submissions__enrollments computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro stg_submissions__enrollments_sql (macros/figures/stg_submissions__enrollments.sql), shared with stg_submissions__enrollments.
{{ stg_submissions__enrollments_sql('approved') }}
