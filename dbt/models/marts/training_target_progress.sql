-- training_target_progress on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- training_target_progress_sql in macros/figures/training_target_progress.sql, which training_target_progress_approved instantiates too.
{{ training_target_progress_sql('latest') }}
