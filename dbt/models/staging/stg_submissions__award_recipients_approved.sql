-- stg_submissions__award_recipients computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro stg_submissions__award_recipients_sql (macros/figures/stg_submissions__award_recipients.sql), shared with stg_submissions__award_recipients.
{{ config(schema='restricted', materialized='view') }}
{{ stg_submissions__award_recipients_sql('approved') }}
