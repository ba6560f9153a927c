-- stg_submissions__award_recipients on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- stg_submissions__award_recipients_sql in macros/figures/stg_submissions__award_recipients.sql, which stg_submissions__award_recipients instantiates too.
{{ config(schema='restricted', materialized='view') }}
{{ stg_submissions__award_recipients_sql('approved') }}
