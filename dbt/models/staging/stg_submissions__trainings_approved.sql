-- stg_submissions__trainings computed from the city's approved versions only (issue 10); the SQL is the macro stg_submissions__trainings_sql.
{{ stg_submissions__trainings_sql('approved') }}
