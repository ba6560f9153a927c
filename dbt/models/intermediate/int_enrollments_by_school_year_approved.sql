-- int_enrollments_by_school_year computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro int_enrollments_by_school_year_sql (macros/figures/int_enrollments_by_school_year.sql), shared with int_enrollments_by_school_year.
{{ int_enrollments_by_school_year_sql('approved') }}
