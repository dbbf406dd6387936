{#- The analysts' view of a staging model: the columns its YAML documents, less every column tagged `pii`
    (names, SSNs, phones, e-mails, addresses, free-text notes); a pii column whose meta says `masking: year`
    keeps its year only, as `<column>_year`. A column the YAML does not document is left out too, so a column
    added to a staging model reaches analysts only once someone has looked at it. The view is granted (dbt
    `grants`) to the roles in OPENDENTAL_ANALYST_ROLES, and their USAGE of its schema is granted after it. -#}
{% macro masked(model_name) %}
    {{ config(grants={'select': analyst_roles()}) }}
    {%- set relation = ref(model_name) -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ model_name) if execute else none -%}
    {%- if node is none %}
select * from {{ relation }} where false
    {%- else -%}
        {%- set kept = [] -%}
        {%- for name, column in node.columns.items() -%}
            {%- set meta = column.meta or {} -%}
            {%- set tags = column.tags or [] -%}
            {%- if 'pii' not in tags and not meta.get('pii') -%}
                {%- do kept.append(name) -%}
            {%- elif meta.get('masking') == 'year' -%}
                {%- do kept.append('extract(year from ' ~ name ~ ')::integer as ' ~ name ~ '_year') -%}
            {%- endif -%}
        {%- endfor %}
        {%- if not kept -%}
            {{ exceptions.raise_compiler_error("masked('" ~ model_name ~ "'): the model documents no column that is not pii") }}
        {%- endif %}
select
    {{ kept | join(',\n    ') }}
from {{ relation }}
    {%- endif %}
{% endmacro %}


{#- The roles that read the masked layer: OPENDENTAL_ANALYST_ROLES, comma-separated (none: no grants). -#}
{% macro analyst_roles() %}
    {%- set roles = [] -%}
    {%- for role in env_var('OPENDENTAL_ANALYST_ROLES', '').split(',') -%}
        {%- if role | trim -%}{%- do roles.append(role | trim) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(roles) }}
{% endmacro %}


{#- On-run-end: the analyst roles may use the masked layer's schema (dbt grants the views themselves), as
    generate_schema_name names it in this target (masked in prod). Once per run, not per model: concurrent GRANTs
    on one schema collide in PostgreSQL ("tuple concurrently updated"). -#}
{% macro grant_schema_usage_to_analysts(layer='masked') %}
    {%- set schema = generate_schema_name(layer, none) | trim -%}
    {%- if execute and analyst_roles() %}
do $$
begin
    if exists (select from pg_namespace where nspname = '{{ schema }}') then
        {%- for role in analyst_roles() %}
        execute 'grant usage on schema {{ adapter.quote(schema) }} to {{ adapter.quote(role) }}';
        {%- endfor %}
    end if;
end $$
    {%- endif %}
{% endmacro %}
