-- int_award_person_events computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro int_award_person_events_sql (macros/figures/int_award_person_events.sql), shared with int_award_person_events.
{{ int_award_person_events_sql('approved') }}
