-- award_spending on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- award_spending_sql in macros/figures/award_spending.sql, which award_spending_approved instantiates too.
{{ award_spending_sql('latest') }}
