-- stg_submissions__schools computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro stg_submissions__schools_sql (macros/figures/stg_submissions__schools.sql), shared with stg_submissions__schools.
{{ stg_submissions__schools_sql('approved') }}
