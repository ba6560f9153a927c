-- 生均拨款 per-student funding per school and year (policy-rules.md §2), over the schools
-- that have an enrollment or an appropriation submission that year.
-- The SQL is the macro per_student_funding_sql (macros/figures/per_student_funding.sql), shared with per_student_funding_approved.
{{ per_student_funding_sql('latest') }}
