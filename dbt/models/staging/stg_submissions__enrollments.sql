-- stg_submissions__enrollments on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- stg_submissions__enrollments_sql in macros/figures/stg_submissions__enrollments.sql, which stg_submissions__enrollments_approved instantiates too.
{{ stg_submissions__enrollments_sql('latest') }}
