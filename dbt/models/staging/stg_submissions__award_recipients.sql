-- The SQL is the macro stg_submissions__award_recipients_sql (macros/figures/stg_submissions__award_recipients.sql), shared with stg_submissions__award_recipients_approved.
{{ config(schema='restricted', materialized='view') }}
{{ stg_submissions__award_recipients_sql('latest') }}
