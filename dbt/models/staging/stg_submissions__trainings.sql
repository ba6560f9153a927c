-- 培训开展情况 training programmes, one row per programme as submitted.
-- The SQL is the macro stg_submissions__trainings_sql (macros/figures/stg_submissions__trainings.sql), shared with stg_submissions__trainings_approved.
{{ stg_submissions__trainings_sql('latest') }}
