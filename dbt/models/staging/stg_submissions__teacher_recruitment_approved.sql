-- stg_submissions__teacher_recruitment computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro stg_submissions__teacher_recruitment_sql (macros/figures/stg_submissions__teacher_recruitment.sql), shared with stg_submissions__teacher_recruitment.
{{ stg_submissions__teacher_recruitment_sql('approved') }}
