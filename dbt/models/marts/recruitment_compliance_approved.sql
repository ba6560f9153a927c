-- recruitment_compliance computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro recruitment_compliance_sql (macros/figures/recruitment_compliance.sql), shared with recruitment_compliance.
{{ recruitment_compliance_sql('approved') }}
