{#-
    Rule 6 (historical preservation): a row deleted in OpenDental is still present in raw. Every deletion the
    pipeline ever reported for this table (_od_run_log.rows_deleted, rows newly marked per run) must still be
    a raw row marked _od_deleted; fewer marked rows than reported deletions means raw lost history (a purge, a
    table rebuilt by a full reload, a deleted row overwritten). One caveat, documented here: a key that comes
    back after being deleted (OpenDental reusing an id) is live again and also lowers the count.
-#}
{% test deleted_rows_are_kept(model) %}
{{ config(tags=['rule_history']) }}

with reported as (

    select coalesce(sum(rows_deleted), 0) as deletions_reported
    from {{ source('opendental_pipeline', '_od_run_log') }}
    where table_name = '{{ model.identifier }}'

),

kept as (

    select count(*) as deleted_rows_in_raw
    from {{ model }}
    where _od_deleted

)

select
    reported.deletions_reported,
    kept.deleted_rows_in_raw
from reported
cross join kept
where kept.deleted_rows_in_raw < reported.deletions_reported

{% endtest %}
