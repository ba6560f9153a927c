-- 培训规模 training volume per school, year and training type (policy-rules.md §3).
-- The SQL is the macro training_volume_sql (macros/figures/training_volume.sql), shared with training_volume_approved.
{{ training_volume_sql('latest') }}
