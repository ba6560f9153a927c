-- 技能大赛奖励应发明细 award entitlement per person, event and year (policy-rules.md §1).
-- person_key only: no name or ID number.
-- The SQL is the macro award_entitlements_sql (macros/figures/award_entitlements.sql), shared with award_entitlements_approved.
{{ award_entitlements_sql('latest') }}
