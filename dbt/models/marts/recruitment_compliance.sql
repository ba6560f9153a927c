-- 教师招聘合规 recruitment compliance per school and year (policy-rules.md §6): counts of
-- hires and of each rule's violations, from recruitment_hires. compliant_hires counts hires
-- with compliant true; hires with a rule applying (non-null compliant) are rule_hires.
-- The SQL is the macro recruitment_compliance_sql (macros/figures/recruitment_compliance.sql), shared with recruitment_compliance_approved.
{{ recruitment_compliance_sql('latest') }}
