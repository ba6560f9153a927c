-- award_entitlements on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- award_entitlements_sql in macros/figures/award_entitlements.sql, which award_entitlements_approved instantiates too.
{{ award_entitlements_sql('latest') }}
