-- recruitment_hires computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro recruitment_hires_sql (macros/figures/recruitment_hires.sql), shared with recruitment_hires.
{{ recruitment_hires_sql('approved') }}
