{#- Enum labels of OpenDental, the one place that staging decodes from (decode_enum) and tests against
    (accepted_enum_values). Keys are OpenDental's C# enum names (or the column name for char codes);
    labels are OpenDental's enum member names, from opendental/schema.yaml of this project's planning;
    EnumPermType's 258 members are generated from OpenDental's source (opendental_permission_types.sql). -#}
{% macro opendental_enums() %}
{{ return({
    'ApptPriority': {
        0: 'Normal', 1: 'ASAP'
    },
    'ApptStatus': {
        0: 'None', 1: 'Scheduled', 2: 'Complete', 3: 'UnschedList', 4: 'ASAP', 5: 'Broken', 6: 'Planned',
        7: 'PtNote', 8: 'PtNoteCompleted'
    },
    'BenefitCoverageLevel': {
        0: 'None', 1: 'Individual', 2: 'Family'
    },
    'BenefitQuantity': {
        0: 'None', 1: 'NumberOfServices', 2: 'AgeLimit', 3: 'Visits', 4: 'Years', 5: 'Months'
    },
    'BenefitTimePeriod': {
        0: 'None', 1: 'ServiceYear', 2: 'CalendarYear', 3: 'Lifetime', 4: 'Years', 5: 'NumberInLast12Months'
    },
    'BypassLockStatus': {
        0: 'NeverBypass', 1: 'BypassIfZero', 2: 'BypassAlways'
    },
    'ClaimCorrectionType': {
        0: 'Original', 1: 'Replacement', 2: 'Void'
    },
    'ClaimProcStatus': {
        0: 'NotReceived', 1: 'Received', 2: 'Preauth', 3: 'Adjustment', 4: 'Supplemental', 5: 'CapClaim',
        6: 'Estimate', 7: 'CapComplete', 8: 'CapEstimate', 9: 'InsHist'
    },
    'ClaimStatus': {
        'U': 'Unsent', 'H': 'HoldUntilPriReceived', 'W': 'WaitingToSend', 'S': 'Sent', 'R': 'Received',
        'I': 'HoldForInProcess', 'A': 'Adjustment', 'P': 'ProbablySent'
    },
    'ClaimType': {
        'P': 'Primary', 'S': 'Secondary', 'PreAuth': 'PreAuth', 'Other': 'Other', 'Cap': 'Capitation'
    },
    'CommItemMode': {
        0: 'None', 1: 'Email', 2: 'Mail', 3: 'Phone', 4: 'InPerson', 5: 'Text', 6: 'EmailAndText',
        7: 'PhoneAndText', 8: 'Fax'
    },
    'CommItemSource': {
        0: 'User', 1: 'WebSched', 2: 'ProgramLink', 3: 'ApptReminder', 4: 'EServices', 5: 'SupplementalBackup',
        6: 'ApptThankYou', 7: 'FHIR', 8: 'NewPatThankYou', 9: 'MsgToPay'
    },
    'CommSentOrReceived': {
        0: 'Neither', 1: 'Sent', 2: 'Received'
    },
    'ContactMethod': {
        0: 'None', 1: 'DoNotCall', 2: 'HmPhone', 3: 'WkPhone', 4: 'WirelessPh', 5: 'Email', 6: 'SeeNotes',
        7: 'Mail', 8: 'TextMessage'
    },
    'CreditCardSource': {
        0: 'None', 1: 'XServer', 2: 'XWeb', 3: 'PayConnect', 4: 'XServerPayConnect', 5: 'XWebPortalLogin',
        6: 'PaySimple', 7: 'PaySimpleACH', 8: 'PayConnectPortal', 9: 'PayConnectPortalLogin', 10: 'CareCredit',
        11: 'EdgeExpressRCM', 12: 'EdgeExpressCNP', 13: 'API', 14: 'EdgeExpressPaymentPortal',
        15: 'EdgeExpressPaymentPortalGuest', 16: 'PayConnectPaymentPortal', 17: 'PayConnectPaymentPortalGuest',
        18: 'PaySimplePaymentPortal', 19: 'PaySimplePaymentPortalGuest', 20: 'PaySimplePaymentPortalACH',
        21: 'XWebPaymentPortal', 22: 'XWebPaymentPortalGuest'
    },
    'DateIllnessInjuryPregQualifier': {
        0: 'None', 431: 'OnsetCurSymptoms', 484: 'LastMenstrualPeriod'
    },
    'DateOtherQualifier': {
        0: 'None', 90: 'ReportStart', 91: 'ReportEnd', 304: 'LatestVisitConsult', 439: 'Accident',
        444: 'FirstVisitConsult', 453: 'ChronicCondManifest', 454: 'InitialTreatment', 455: 'LastXray',
        471: 'Prescription'
    },
    'DefCat': {
        0: 'AccountColors', 1: 'AdjTypes', 2: 'ApptConfirmed', 3: 'ApptProcsQuickAdd', 4: 'BillingTypes',
        5: 'ClaimFormats', 6: 'DunningMessages', 7: 'FeeSchedNamesOld', 8: 'MedicalNotes', 9: 'OperatoriesOld',
        10: 'PaymentTypes', 11: 'ProcCodeCats', 12: 'ProgNoteColors', 13: 'RecallUnschedStatus',
        14: 'ServiceNotes', 15: 'DiscountTypes', 16: 'Diagnosis', 17: 'AppointmentColors', 18: 'ImageCats',
        19: 'ApptPhoneNotes', 20: 'TxPriorities', 21: 'MiscColors', 22: 'ChartGraphicColors',
        23: 'ContactCategories', 24: 'LetterMergeCats', 25: 'BlockoutTypes', 26: 'ProcButtonCats',
        27: 'CommLogTypes', 28: 'SupplyCats', 29: 'PaySplitUnearnedType', 30: 'Prognosis',
        31: 'ClaimCustomTracking', 32: 'InsurancePaymentType', 33: 'TaskPriorities', 34: 'FeeColors',
        35: 'ProviderSpecialties', 36: 'ClaimPaymentTracking', 37: 'AccountQuickCharge',
        38: 'InsuranceVerificationStatus', 39: 'Regions', 40: 'ClaimPaymentGroups', 41: 'AutoNoteCats',
        42: 'WebSchedNewPatApptTypes', 43: 'ClaimErrorCode', 44: 'ClinicSpecialty', 45: 'JobPriorities',
        46: 'CarrierGroupNames', 47: 'PayPlanCategories', 48: 'AutoDeposit', 49: 'InsuranceFilingCodeGroup',
        50: 'TimeCardAdjTypes', 51: 'WebSchedExistingApptTypes', 52: 'CertificationCategories',
        53: 'EClipboardImageCapture', 54: 'TaskCategories', 55: 'OperatoryTypes'
    },
    'DeletedObjectType': {
        0: 'Appointment', 1: 'ScheduleProv', 2: 'RecallPatNum', 3: 'RxPat', 4: 'LabPanel', 5: 'LabResult',
        6: 'DrugUnit', 7: 'Medication', 8: 'MedicationPat', 9: 'Allergy', 10: 'AllergyDef', 11: 'Disease',
        12: 'DiseaseDef', 13: 'ICD9', 14: 'Provider', 15: 'Pharmacy', 16: 'Statement', 17: 'Document',
        18: 'Recall'
    },
    'EServiceTypes': {
        0: 'None', 1: 'EConnector', 2: 'Broadcaster', 3: 'BroadcastMonitor', 4: 'ServiceMainHQ',
        5: 'OpenDentalService', 6: 'OpenDentalAPIService'
    },
    'EclaimCobInsPaidBehavior': {
        0: 'Default', 1: 'ClaimLevel', 2: 'ProcedureLevel', 3: 'Both'
    },
    'EnumClaimMedType': {
        0: 'Dental', 1: 'Medical', 2: 'Institutional'
    },
    'EnumClaimSpecialProgram': {
        0: 'none', 1: 'EPSDT_1', 2: 'Handicapped_2', 3: 'SpecialFederal_3', 5: 'Disability_5',
        9: 'SecondOpinion_9'
    },
    'EnumCobRule': {
        0: 'Basic', 1: 'Standard', 2: 'CarveOut', 3: 'SecondaryMedicaid'
    },
    'EnumCommReferralBehavior': {
        0: 'None', 1: 'TopAnchored', 2: 'Hidden'
    },
    'EnumOrthoInsPayConsolidate': {
        0: 'Global', 1: 'ForceConsolidateOn', 2: 'ForceConsolidateOff'
    },
    'EnumPermType': opendental_permission_types(),
    'EnumProcDrugUnit': {
        0: 'None', 1: 'InternationalUnit', 2: 'Gram', 3: 'Milligram', 4: 'Milliliter', 5: 'Unit'
    },
    'EraAutomationMode': {
        0: 'UseGlobal', 1: 'ReviewAll', 2: 'SemiAutomatic', 3: 'FullyAutomatic'
    },
    'ErxEnabledStatus': {
        0: 'Disabled', 1: 'Enabled', 2: 'EnabledWithLegacy'
    },
    'ExclusionRule': {
        0: 'PracticeDefault', 1: 'DoNothing', 2: 'UseUcrFee'
    },
    'FeeScheduleType': {
        0: 'Normal', 1: 'CoPay', 2: 'OutNetwork', 3: 'FixedBenefit', 4: 'ManualBlueBook'
    },
    'HistAppointmentAction': {
        0: 'Created', 1: 'Changed', 2: 'Missed', 3: 'Cancelled', 4: 'Deleted'
    },
    'InsBenefitType': {
        0: 'ActiveCoverage', 1: 'CoInsurance', 2: 'Deductible', 3: 'CoPayment', 4: 'Exclusions',
        5: 'Limitations', 6: 'WaitingPeriod'
    },
    'LogSources': {
        0: 'None', 1: 'WebSched', 2: 'InsPlanImport834', 3: 'HL7', 4: 'DBM', 5: 'FHIR', 6: 'PatientPortal',
        7: 'WebSchedNewPatAppt', 8: 'AutoConfirmations', 9: 'Diagnostic', 10: 'MobileWeb',
        11: 'CanadaEobAutoImport', 12: 'WebSchedASAP', 13: 'OpenDentalService', 14: 'BroadcastMonitor',
        15: 'AutoLogOff', 16: 'ODMobile', 17: 'TextMessaging', 18: 'CareCredit', 19: 'WebSchedExistingPatient',
        20: 'eRx', 21: 'SignupPortal', 22: 'EmployerImport834', 23: 'API', 24: 'ClaimReceiveAutomatic',
        25: 'PaymentPortal'
    },
    'NoSendElectType': {
        0: 'SendElect', 1: 'NoSendElect', 2: 'NoSendSecondaryElect'
    },
    'OrthoAutoProcFrequency': {
        0: 'Monthly', 1: 'Quarterly', 2: 'SemiAnnual', 3: 'Annual'
    },
    'OrthoClaimType': {
        0: 'InitialClaimOnly', 1: 'InitialPlusVisit', 2: 'InitialPlusPeriodic'
    },
    'PatientGender': {
        0: 'Male', 1: 'Female', 2: 'Unknown', 3: 'Other'
    },
    'PatientGrade': {
        0: 'Unknown', 1: 'First', 2: 'Second', 3: 'Third', 4: 'Fourth', 5: 'Fifth', 6: 'Sixth', 7: 'Seventh',
        8: 'Eighth', 9: 'Ninth', 10: 'Tenth', 11: 'Eleventh', 12: 'Twelfth', 13: 'PrenatalWIC', 14: 'PreK',
        15: 'Kindergarten', 16: 'Other'
    },
    'PatientPosition': {
        0: 'Single', 1: 'Married', 2: 'Child', 3: 'Widowed', 4: 'Divorced'
    },
    'PatientStatus': {
        0: 'Patient', 1: 'NonPatient', 2: 'Inactive', 3: 'Archived', 4: 'Deleted', 5: 'Deceased',
        6: 'Prospective'
    },
    'PayPlanDebitTypes': {
        0: 'Unknown', 1: 'Principal', 2: 'Interest'
    },
    'PaymentStatus': {
        0: 'None', 1: 'PaySimpleAchPosted', 2: 'PaySimpleAchSettled', 3: 'PaySimpleAchFailed'
    },
    'PlaceOfService': {
        0: 'Office', 1: 'PatientsHome', 2: 'InpatHospital', 3: 'OutpatHospital', 4: 'SkilledNursFac',
        5: 'CustodialCareFacility', 6: 'OtherLocation', 7: 'MobileUnit', 8: 'School', 9: 'MilitaryTreatFac',
        10: 'FederalHealthCenter', 11: 'PublicHealthClinic', 12: 'RuralHealthClinic',
        13: 'EmergencyRoomHospital', 14: 'AmbulatorySurgicalCenter', 15: 'TelehealthOutsideHome',
        16: 'TelehealthInHome', 17: 'OutreachSiteOrStreet'
    },
    'PlanType': {
        '': 'Percentage', 'p': 'PPO', 'f': 'FlatCopay', 'c': 'Capitation'
    },
    'ProcStat': {
        1: 'TreatPlanned', 2: 'Complete', 3: 'ExistingCurProv', 4: 'ExistingOtherProv', 5: 'Referred',
        6: 'Deleted', 7: 'Condition', 8: 'TreatPlannedInactive'
    },
    'ProcUnitQtyType': {
        0: 'MultProcs', 1: 'MinutesAnesth', 2: 'ServiceUnits', 3: 'Days'
    },
    'ProcUrgency': {
        0: 'Normal', 1: 'Emergency'
    },
    'ProcessStat': {
        0: 'OfficeProcessed', 1: 'OnlineProcessed', 2: 'OnlinePending'
    },
    'Prosthesis': {
        '': 'None', 'I': 'Initial', 'R': 'Replacement'
    },
    'ProviderStatus': {
        0: 'Active', 1: 'Deleted'
    },
    'RecallPriority': {
        0: 'Normal', 1: 'ASAP'
    },
    'ReferralToStatus': {
        0: 'None', 1: 'Declined', 2: 'Scheduled', 3: 'Consulted', 4: 'InTreatment', 5: 'Complete'
    },
    'ReferralType': {
        0: 'RefTo', 1: 'RefFrom', 2: 'RefCustom'
    },
    'Relat': {
        0: 'Self', 1: 'Spouse', 2: 'Child', 3: 'Employee', 4: 'HandicapDep', 5: 'SignifOther',
        6: 'InjuredPlaintiff', 7: 'LifePartner', 8: 'Dependent'
    },
    'SchedStatus': {
        0: 'Open', 1: 'Closed', 2: 'Holiday'
    },
    'ScheduleType': {
        0: 'Practice', 1: 'Provider', 2: 'Blockout', 3: 'Employee', 4: 'WebSchedASAP'
    },
    'StudentStatus': {
        '': 'Nonstudent', 'N': 'Nonstudent', 'P': 'PartTime', 'F': 'FullTime'
    },
    'SubstitutionCondition': {
        0: 'Always', 1: 'Molar', 2: 'SecondMolar', 3: 'Never', 4: 'Posterior'
    },
    'ToothPaintingType': {
        0: 'None', 1: 'Extraction', 2: 'Implant', 3: 'RCT', 4: 'PostBU', 5: 'FillingDark', 6: 'FillingLight',
        7: 'CrownDark', 8: 'CrownLight', 9: 'BridgeDark', 10: 'BridgeLight', 11: 'DentureDark',
        12: 'DentureLight', 13: 'Sealant', 14: 'Veneer', 15: 'Text', 16: 'RetainedRoot', 17: 'SpaceMaintainer'
    },
    'TreatmentArea': {
        0: 'None', 1: 'Surf', 2: 'Tooth', 3: 'Mouth', 4: 'Quad', 5: 'Sextant', 6: 'Arch', 7: 'ToothRange'
    },
    'TreatmentUrgency': {
        0: 'Unknown', 1: 'NoProblems', 2: 'NeedsCare', 3: 'Urgent'
    },
    'YN': {
        0: 'Unknown', 1: 'Yes', 2: 'No'
    }
}) }}
{% endmacro %}
