-- stg_submissions__trainings on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- stg_submissions__trainings_sql in macros/figures/stg_submissions__trainings.sql, which stg_submissions__trainings instantiates too.
{{ stg_submissions__trainings_sql('approved') }}
