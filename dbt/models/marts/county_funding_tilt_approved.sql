-- county_funding_tilt computed from the versions the city approved (locked) only (issue 10); the SQL is
-- the macro county_funding_tilt_sql (macros/figures/county_funding_tilt.sql), shared with county_funding_tilt.
{{ county_funding_tilt_sql('approved') }}
