-- per_student_funding on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- per_student_funding_sql in macros/figures/per_student_funding.sql, which per_student_funding instantiates too.
{{ per_student_funding_sql('approved') }}
