-- stg_submissions__partnership_incomes computed from the city's approved versions only (issue 10); the SQL is the macro stg_submissions__partnership_incomes_sql.
{{ stg_submissions__partnership_incomes_sql('approved') }}
