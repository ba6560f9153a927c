-- stg_submissions__appropriations computed from the city's approved versions only (issue 10); the SQL is the macro stg_submissions__appropriations_sql.
{{ stg_submissions__appropriations_sql('approved') }}
