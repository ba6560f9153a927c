-- 技能大赛奖励支出汇总 award spending per school, year, competition level, organizer type and
-- role (policy-rules.md §1.7). A person-event counts under the level, organizer and role of
-- its counted award; its suppressed awards (and their claims and payments) count there too.
-- The SQL is the macro award_spending_sql (macros/figures/award_spending.sql), shared with award_spending_approved.
{{ award_spending_sql('latest') }}
