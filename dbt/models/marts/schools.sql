-- 职业院校 schools per year as the registry gives them, with the county's name: the names
-- every report shows come from here (publishing reads dbt models only).
-- The SQL is the macro schools_sql (macros/figures/schools.sql), shared with schools_approved.
{{ schools_sql('latest') }}
