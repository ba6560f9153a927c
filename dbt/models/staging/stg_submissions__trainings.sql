-- stg_submissions__trainings on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- stg_submissions__trainings_sql in macros/figures/stg_submissions__trainings.sql, which stg_submissions__trainings_approved instantiates too.
{{ stg_submissions__trainings_sql('latest') }}
