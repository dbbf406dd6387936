with

source as (

    select * from {{ source('opendental', 'userod') }}

),

renamed as (

    select
        -- ids
        user_num as user_id,
        {{ clean_od_fk('employee_num') }} as employee_id,
        {{ clean_od_fk('clinic_num') }} as clinic_id,
        {{ clean_od_fk('prov_num') }} as provider_id,
        {{ clean_od_fk('task_list_in_box') }} as task_list_inbox_id,
        {{ clean_od_fk('user_num_cemt') }} as cemt_user_id,

        -- strings
        nullif(user_name, '') as user_name,
        nullif(domain_user, '') as domain_user,
        nullif(badge_id, '') as badge_identifier,

        -- numerics
        anesth_prov_type as anesthesia_provider_type,
        failed_attempts as failed_login_attempts,
        mobile_web_pin_failed_attempts,

        -- booleans
        {{ od_bool('is_hidden') }} as is_hidden,
        {{ od_bool('default_hide_popups') }} as is_popups_hidden_by_default,
        {{ od_bool('password_is_strong') }} as is_password_strong,
        {{ od_bool('clinic_is_restricted') }} as is_clinic_restricted,
        {{ od_bool('inbox_hide_popups') }} as is_inbox_popups_hidden,
        {{ od_bool('is_password_reset_required') }} as is_password_reset_required,

        -- timestamps
        {{ clean_od_date('date_t_fail') }} as last_login_failed_at,
        {{ clean_od_date('date_t_last_login') }} as last_login_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
