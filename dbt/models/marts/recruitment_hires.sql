-- 教师招聘 teacher hires and the rules of 二(六) (policy-rules.md §6), one row per hire.
-- Each flag is null where its rule does not apply to the hire; part-time teachers (兼职教师)
-- are listed with every flag null and compliant null. Parameters (3 years, 大专, 2/3) come
-- from seed policy_recruitment_parameters for the hire's year.
-- The SQL is the macro recruitment_hires_sql (macros/figures/recruitment_hires.sql), shared with recruitment_hires_approved.
{{ recruitment_hires_sql('latest') }}
