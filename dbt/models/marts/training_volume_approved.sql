-- training_volume computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro training_volume_sql (macros/figures/training_volume.sql), shared with training_volume.
{{ training_volume_sql('approved') }}
