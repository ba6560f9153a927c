-- int_appropriations_by_school_year computed from the city's approved versions only (issue 10); the SQL is the macro int_appropriations_by_school_year_sql.
{{ int_appropriations_by_school_year_sql('approved') }}
