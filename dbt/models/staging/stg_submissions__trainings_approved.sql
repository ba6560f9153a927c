-- stg_submissions__trainings computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro stg_submissions__trainings_sql (macros/figures/stg_submissions__trainings.sql), shared with stg_submissions__trainings.
{{ stg_submissions__trainings_sql('approved') }}
