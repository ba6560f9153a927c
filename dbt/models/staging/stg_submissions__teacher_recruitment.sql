-- stg_submissions__teacher_recruitment on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- stg_submissions__teacher_recruitment_sql in macros/figures/stg_submissions__teacher_recruitment.sql, which stg_submissions__teacher_recruitment_approved instantiates too.
{{ stg_submissions__teacher_recruitment_sql('latest') }}
