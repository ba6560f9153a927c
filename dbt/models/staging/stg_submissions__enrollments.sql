-- 在校生及学费收入 enrolment by programme category, one row per school, year and category.
-- The SQL is the macro stg_submissions__enrollments_sql (macros/figures/stg_submissions__enrollments.sql), shared with stg_submissions__enrollments_approved.
{{ stg_submissions__enrollments_sql('latest') }}
