-- 新增教育经费向职业教育倾斜 county funding tilt (policy-rules.md §5), per county and year
-- whose previous year's budget is known.
-- The SQL is the macro county_funding_tilt_sql (macros/figures/county_funding_tilt.sql), shared with county_funding_tilt_approved.
{{ county_funding_tilt_sql('latest') }}
