-- int_award_person_events on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- int_award_person_events_sql in macros/figures/int_award_person_events.sql, which int_award_person_events_approved instantiates too.
{{ int_award_person_events_sql('latest') }}
