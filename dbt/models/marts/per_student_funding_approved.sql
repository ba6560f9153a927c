-- per_student_funding computed from the city's approved versions only (issue 10); the SQL is the macro per_student_funding_sql.
{{ per_student_funding_sql('approved') }}
