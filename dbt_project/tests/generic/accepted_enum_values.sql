{#-
    dbt's `accepted_values` test with the values taken from the one enum dictionary (macro opendental_enums),
    so the labels are written in one place. A code that the dictionary does not know is decoded as
    'Undocumented(<code>)' and fails here.
-#}
{% test accepted_enum_values(model, column_name, enum) %}
{{ config(tags=['rule_data_types']) }}
    {{ adapter.dispatch('test_accepted_values', 'dbt')(model, column_name, opendental_enum_labels(enum), quote=True) }}
{% endtest %}
