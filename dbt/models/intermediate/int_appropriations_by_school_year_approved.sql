-- int_appropriations_by_school_year computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro int_appropriations_by_school_year_sql (macros/figures/int_appropriations_by_school_year.sql), shared with int_appropriations_by_school_year.
{{ int_appropriations_by_school_year_sql('approved') }}
