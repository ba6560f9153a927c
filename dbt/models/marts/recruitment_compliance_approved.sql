-- recruitment_compliance on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- recruitment_compliance_sql in macros/figures/recruitment_compliance.sql, which recruitment_compliance instantiates too.
{{ recruitment_compliance_sql('approved') }}
