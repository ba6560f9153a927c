-- award_spending computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro award_spending_sql (macros/figures/award_spending.sql), shared with award_spending.
{{ award_spending_sql('approved') }}
