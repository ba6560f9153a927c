-- schools computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro schools_sql (macros/figures/schools.sql), shared with schools.
{{ schools_sql('approved') }}
