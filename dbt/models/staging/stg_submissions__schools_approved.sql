-- stg_submissions__schools on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- stg_submissions__schools_sql in macros/figures/stg_submissions__schools.sql, which stg_submissions__schools instantiates too.
{{ stg_submissions__schools_sql('approved') }}
