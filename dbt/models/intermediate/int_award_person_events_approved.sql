-- int_award_person_events on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- int_award_person_events_sql in macros/figures/int_award_person_events.sql, which int_award_person_events instantiates too.
{{ int_award_person_events_sql('approved') }}
