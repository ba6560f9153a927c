-- stg_submissions__appropriations on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- stg_submissions__appropriations_sql in macros/figures/stg_submissions__appropriations.sql, which stg_submissions__appropriations_approved instantiates too.
{{ stg_submissions__appropriations_sql('latest') }}
