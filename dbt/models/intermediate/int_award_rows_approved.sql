-- int_award_rows computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro int_award_rows_sql (macros/figures/int_award_rows.sql), shared with int_award_rows.
{{ int_award_rows_sql('approved') }}
