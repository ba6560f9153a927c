-- recruitment_compliance on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- recruitment_compliance_sql in macros/figures/recruitment_compliance.sql, which recruitment_compliance_approved instantiates too.
{{ recruitment_compliance_sql('latest') }}
