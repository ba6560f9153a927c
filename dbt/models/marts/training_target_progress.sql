-- 劳动教育和职业启蒙培训目标进度 citywide labor-enlightenment trainees against the plan
-- target (policy-rules.md §3), one row per year with training data. The target and its plan
-- period (the seed row's years, 2021-2025) come from seed policy_parameters; the average runs
-- over the plan years up to the year that have training data.
-- The SQL is the macro training_target_progress_sql (macros/figures/training_target_progress.sql), shared with training_target_progress_approved.
{{ training_target_progress_sql('latest') }}
