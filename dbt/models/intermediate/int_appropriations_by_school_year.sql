-- 生均拨款（按校按年）appropriations per school and year, summed over funders
-- (policy-rules.md §2). Where funders give different standards, the highest is used.
-- The SQL is the macro int_appropriations_by_school_year_sql (macros/figures/int_appropriations_by_school_year.sql), shared with int_appropriations_by_school_year_approved.
{{ int_appropriations_by_school_year_sql('latest') }}
