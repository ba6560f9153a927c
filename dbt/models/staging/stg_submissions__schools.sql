-- stg_submissions__schools on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- stg_submissions__schools_sql in macros/figures/stg_submissions__schools.sql, which stg_submissions__schools_approved instantiates too.
{{ stg_submissions__schools_sql('latest') }}
