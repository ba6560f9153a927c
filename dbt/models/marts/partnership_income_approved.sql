-- partnership_income computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro partnership_income_sql (macros/figures/partnership_income.sql), shared with partnership_income.
{{ partnership_income_sql('approved') }}
