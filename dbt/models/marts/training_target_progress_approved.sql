-- training_target_progress computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro training_target_progress_sql (macros/figures/training_target_progress.sql), shared with training_target_progress.
{{ training_target_progress_sql('approved') }}
