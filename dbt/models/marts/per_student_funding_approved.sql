-- per_student_funding computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro per_student_funding_sql (macros/figures/per_student_funding.sql), shared with per_student_funding.
{{ per_student_funding_sql('approved') }}
