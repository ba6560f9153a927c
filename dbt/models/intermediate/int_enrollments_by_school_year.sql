-- 在校生及学费（按校按年）enrolment and tuition income per school and year.
-- The SQL is the macro int_enrollments_by_school_year_sql (macros/figures/int_enrollments_by_school_year.sql), shared with int_enrollments_by_school_year_approved.
{{ int_enrollments_by_school_year_sql('latest') }}
