-- stg_submissions__competition_awards computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro stg_submissions__competition_awards_sql (macros/figures/stg_submissions__competition_awards.sql), shared with stg_submissions__competition_awards.
{{ stg_submissions__competition_awards_sql('approved') }}
