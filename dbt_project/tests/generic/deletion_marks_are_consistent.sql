{#-
    Rule 6 (historical preservation), raw side: a row deleted in OpenDental stays in raw, marked. Every marked
    row says when the deletion was detected, and no live row carries a deletion time.
-#}
{% test deletion_marks_are_consistent(model) %}
{{ config(tags=['rule_history']) }}

select
    _od_deleted,
    _od_deleted_at
from {{ model }}
where
    _od_deleted is null
    or (_od_deleted and _od_deleted_at is null)
    or (not _od_deleted and _od_deleted_at is not null)

{% endtest %}
