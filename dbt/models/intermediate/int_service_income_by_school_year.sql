-- 社会服务收入（按校按年）social-service income per school and year (policy-rules.md §2,
-- offset_suspected): training income plus partnership income of every category but donation.
-- The SQL is the macro int_service_income_by_school_year_sql (macros/figures/int_service_income_by_school_year.sql), shared with int_service_income_by_school_year_approved.
{{ int_service_income_by_school_year_sql('latest') }}
