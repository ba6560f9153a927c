-- recruitment_hires on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- recruitment_hires_sql in macros/figures/recruitment_hires.sql, which recruitment_hires_approved instantiates too.
{{ recruitment_hires_sql('latest') }}
