-- stg_submissions__award_recipients on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- stg_submissions__award_recipients_sql in macros/figures/stg_submissions__award_recipients.sql, which stg_submissions__award_recipients_approved instantiates too.
{{ config(schema='restricted', materialized='view') }}
{{ stg_submissions__award_recipients_sql('latest') }}
