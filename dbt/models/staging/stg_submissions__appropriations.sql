-- 生均拨款 appropriations, one row per funder, school and year.
-- standard_per_student_yuan stays null where no standard exists yet (市属高职).
-- The SQL is the macro stg_submissions__appropriations_sql (macros/figures/stg_submissions__appropriations.sql), shared with stg_submissions__appropriations_approved.
{{ stg_submissions__appropriations_sql('latest') }}
