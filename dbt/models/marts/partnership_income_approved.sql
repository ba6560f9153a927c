-- partnership_income on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- partnership_income_sql in macros/figures/partnership_income.sql, which partnership_income instantiates too.
{{ partnership_income_sql('approved') }}
