with

source as (

    select * from {{ source('opendental', 'claimproc') }}

),

renamed as (

    select
        -- ids
        claim_proc_num as claim_procedure_id,
        {{ clean_od_fk('proc_num') }} as procedure_id,
        {{ clean_od_fk('claim_num') }} as claim_id,
        {{ clean_od_fk('pat_num') }} as patient_id,
        {{ clean_od_fk('prov_num') }} as provider_id,
        {{ clean_od_fk('claim_payment_num') }} as claim_payment_id,
        {{ clean_od_fk('plan_num') }} as insurance_plan_id,
        {{ clean_od_fk('clinic_num') }} as clinic_id,
        {{ clean_od_fk('ins_sub_num') }} as insurance_subscriber_id,
        {{ clean_od_fk('pay_plan_num') }} as payment_plan_id,
        {{ clean_od_fk('claim_payment_tracking') }} as claim_payment_tracking_definition_id,
        {{ clean_od_fk('sec_user_num_entry') }} as entry_user_id,

        -- strings
        {{ decode_enum('status', 'ClaimProcStatus') }} as claim_procedure_status,
        nullif(remarks, '') as remarks,
        nullif(code_sent, '') as code_sent,
        nullif(estimate_note, '') as estimate_note,
        nullif(claim_adj_reason_codes, '') as claim_adjustment_reason_codes,

        -- numerics
        {{ od_money('fee_billed') }} as fee_billed,
        {{ od_money('ins_pay_est') }} as insurance_payment_estimate,
        {{ od_money('ded_applied') }} as deductible_applied_amount,
        {{ od_money('ins_pay_amt') }} as insurance_paid_amount,
        {{ od_money('write_off') }} as write_off_amount,
        {{ od_money('allowed_override', blank_sentinel=-1) }} as allowed_fee_override,
        nullif(percentage, -1) as coverage_percent,
        nullif(percent_override, -1) as coverage_percent_override,
        {{ od_money('copay_amt', blank_sentinel=-1) }} as copay_amount,
        {{ od_money('paid_other_ins', blank_sentinel=-1) }} as paid_by_other_insurance_amount,
        {{ od_money('base_est') }} as base_estimate_amount,
        {{ od_money('copay_override', blank_sentinel=-1) }} as copay_override_amount,
        line_number,
        {{ od_money('ded_est', blank_sentinel=-1) }} as deductible_estimate_amount,
        {{ od_money('ded_est_override', blank_sentinel=-1) }} as deductible_estimate_override_amount,
        {{ od_money('ins_est_total') }} as insurance_estimate_total_amount,
        {{ od_money('ins_est_total_override', blank_sentinel=-1) }} as insurance_estimate_total_override_amount,
        {{ od_money('paid_other_ins_override', blank_sentinel=-1) }} as paid_by_other_insurance_override_amount,
        {{ od_money('write_off_est', blank_sentinel=-1) }} as write_off_estimate_amount,
        {{ od_money('write_off_est_override', blank_sentinel=-1) }} as write_off_estimate_override_amount,
        payment_row,

        -- booleans
        {{ od_bool('no_bill_ins') }} as is_not_billed_to_insurance,
        {{ od_bool('is_transfer') }} as is_transfer,
        {{ od_bool('is_overpay') }} as is_overpayment,

        -- dates
        {{ clean_od_date('date_cp') }} as payment_date,
        {{ clean_od_date('proc_date') }} as procedure_date,
        {{ clean_od_date('date_entry') }} as status_entry_date,
        {{ clean_od_date('sec_date_entry') }} as entry_date,
        {{ clean_od_date('date_supp_received') }} as first_received_date,
        {{ clean_od_date('date_ins_finalized') }} as insurance_finalized_date,

        -- timestamps
        sec_date_t_edit as updated_at,

        -- sync metadata
        _od_synced_at as synced_at

    from source
    where not _od_deleted

)

select * from renamed
