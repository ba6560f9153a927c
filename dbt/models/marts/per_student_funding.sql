-- per_student_funding on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- per_student_funding_sql in macros/figures/per_student_funding.sql, which per_student_funding_approved instantiates too.
{{ per_student_funding_sql('latest') }}
