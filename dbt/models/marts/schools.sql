-- schools on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- schools_sql in macros/figures/schools.sql, which schools_approved instantiates too.
{{ schools_sql('latest') }}
