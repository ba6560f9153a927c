-- stg_submissions__appropriations on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- stg_submissions__appropriations_sql in macros/figures/stg_submissions__appropriations.sql, which stg_submissions__appropriations instantiates too.
{{ stg_submissions__appropriations_sql('approved') }}
