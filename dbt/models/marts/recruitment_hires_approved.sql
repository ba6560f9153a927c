-- recruitment_hires on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- recruitment_hires_sql in macros/figures/recruitment_hires.sql, which recruitment_hires instantiates too.
{{ recruitment_hires_sql('approved') }}
