-- county_funding_tilt on the latest received versions (issue 10). The SQL, with its comments, is the macro
-- county_funding_tilt_sql in macros/figures/county_funding_tilt.sql, which county_funding_tilt_approved instantiates too.
{{ county_funding_tilt_sql('latest') }}
