-- 获奖记录（按行）award rows with their standard, de-duplication and entitlement, one row per
-- submitted award row (policy-rules.md §1). Grain: submission_id, source_row_number.
--
-- For the finance payout audit: names are not here (personal data). Join them from
-- submissions.competition_awards on submission_id and row_number = source_row_number.
-- The SQL is the macro int_award_rows_sql (macros/figures/int_award_rows.sql), shared with int_award_rows_approved.
{{ int_award_rows_sql('latest') }}
