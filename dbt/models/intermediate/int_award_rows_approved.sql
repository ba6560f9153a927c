-- int_award_rows on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- int_award_rows_sql in macros/figures/int_award_rows.sql, which int_award_rows instantiates too.
{{ int_award_rows_sql('approved') }}
