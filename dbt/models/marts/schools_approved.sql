-- schools on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- schools_sql in macros/figures/schools.sql, which schools instantiates too.
{{ schools_sql('approved') }}
