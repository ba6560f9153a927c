-- 教师招聘情况 teacher hires, one row per hire as submitted (added 2026-11).
-- Personal data stays out: person_name and id_masked are not selected; person_key (the keyed
-- hash of the ID number) identifies the teacher. Empty texts (approval and filing numbers,
-- certificate), white space only included, are null: the template reads empty as "none".
-- The SQL is the macro stg_submissions__teacher_recruitment_sql (macros/figures/stg_submissions__teacher_recruitment.sql), shared with stg_submissions__teacher_recruitment_approved.
{{ stg_submissions__teacher_recruitment_sql('latest') }}
