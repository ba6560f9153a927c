-- 技能大赛获奖情况 competition awards, one row per person and award as submitted.
-- Personal data stays out: person_name and id_masked are not selected; person_key (the
-- keyed hash of the ID number) identifies the person. The payout audit joins names back
-- from submissions.competition_awards on (submission_id, source_row_number = row_number).
-- The SQL is the macro stg_submissions__competition_awards_sql (macros/figures/stg_submissions__competition_awards.sql), shared with stg_submissions__competition_awards_approved.
{{ stg_submissions__competition_awards_sql('latest') }}
