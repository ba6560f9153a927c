-- int_award_rows on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- int_award_rows_sql in macros/figures/int_award_rows.sql, which int_award_rows_approved instantiates too.
{{ int_award_rows_sql('latest') }}
