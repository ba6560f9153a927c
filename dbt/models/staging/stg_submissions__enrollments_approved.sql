-- stg_submissions__enrollments computed from the city's approved versions only (issue 10); the SQL is the macro stg_submissions__enrollments_sql.
{{ stg_submissions__enrollments_sql('approved') }}
