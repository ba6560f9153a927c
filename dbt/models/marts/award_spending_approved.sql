-- award_spending on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- award_spending_sql in macros/figures/award_spending.sql, which award_spending instantiates too.
{{ award_spending_sql('approved') }}
