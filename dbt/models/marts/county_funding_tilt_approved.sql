-- county_funding_tilt on the versions the city approved (locked) only (issue 10). The SQL, with its comments, is the macro
-- county_funding_tilt_sql in macros/figures/county_funding_tilt.sql, which county_funding_tilt instantiates too.
{{ county_funding_tilt_sql('approved') }}
