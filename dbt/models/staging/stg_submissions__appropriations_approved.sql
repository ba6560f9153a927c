-- stg_submissions__appropriations computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro stg_submissions__appropriations_sql (macros/figures/stg_submissions__appropriations.sql), shared with stg_submissions__appropriations.
{{ stg_submissions__appropriations_sql('approved') }}
