-- award_entitlements computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro award_entitlements_sql (macros/figures/award_entitlements.sql), shared with award_entitlements.
{{ award_entitlements_sql('approved') }}
