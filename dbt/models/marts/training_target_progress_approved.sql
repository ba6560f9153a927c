-- training_target_progress on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- training_target_progress_sql in macros/figures/training_target_progress.sql, which training_target_progress instantiates too.
{{ training_target_progress_sql('approved') }}
