-- training_volume on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- training_volume_sql in macros/figures/training_volume.sql, which training_volume instantiates too.
{{ training_volume_sql('approved') }}
