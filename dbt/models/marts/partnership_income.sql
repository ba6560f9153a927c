-- partnership_income on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- partnership_income_sql in macros/figures/partnership_income.sql, which partnership_income_approved instantiates too.
{{ partnership_income_sql('latest') }}
