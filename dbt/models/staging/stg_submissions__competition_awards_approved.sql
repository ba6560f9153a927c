-- stg_submissions__competition_awards on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- stg_submissions__competition_awards_sql in macros/figures/stg_submissions__competition_awards.sql, which stg_submissions__competition_awards instantiates too.
{{ stg_submissions__competition_awards_sql('approved') }}
