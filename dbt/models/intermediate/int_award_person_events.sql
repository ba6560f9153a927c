-- 获奖人-赛项 one row per person, event and year (policy-rules.md §1.4, §1.7): the counted
-- award's attributes and entitlement, with claimed and paid summed over all the
-- person-event's rows, suppressed ones included.
-- The SQL is the macro int_award_person_events_sql (macros/figures/int_award_person_events.sql), shared with int_award_person_events_approved.
{{ int_award_person_events_sql('latest') }}
