-- training_volume on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- training_volume_sql in macros/figures/training_volume.sql, which training_volume_approved instantiates too.
{{ training_volume_sql('latest') }}
