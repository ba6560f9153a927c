-- award_entitlements on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- award_entitlements_sql in macros/figures/award_entitlements.sql, which award_entitlements instantiates too.
{{ award_entitlements_sql('approved') }}
