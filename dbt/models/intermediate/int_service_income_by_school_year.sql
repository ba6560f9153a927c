-- int_service_income_by_school_year on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- int_service_income_by_school_year_sql in macros/figures/int_service_income_by_school_year.sql, which int_service_income_by_school_year_approved instantiates too.
{{ int_service_income_by_school_year_sql('latest') }}
