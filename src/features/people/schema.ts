// The one schema for a person's details: it validates the web form, the API body and each
// imported CSV row, and documents the API. Field names are the API's (camelCase).
import { z } from 'zod';
import { isCivilDate, type CivilDate } from '../../platform/dates.js';
import { normaliseNhsNumber, isValidNhsNumber } from '../../platform/nhs-number.js';

/** Primary support reason: the Adult Social Care Client Level Data values, exactly. */
export const PRIMARY_SUPPORT_REASONS = [
  'Physical Support: Access & mobility only',
  'Physical Support: Personal care support',
  'Sensory Support: Support for visual impairment',
  'Sensory Support: Support for hearing impairment',
  'Sensory Support: Support for dual impairment',
  'Support with Memory & Cognition',
  'Learning Disability Support',
  'Mental Health Support',
  'Social Support: Substance misuse support',
  'Social Support: Asylum seeker support',
  'Social Support: Support for Social Isolation/Other',
  'Social Support: Support to Carer',
  'Unknown',
] as const;

/** Mental Health Act sections whose discharge brings the section 117 after-care duty. */
export const S117_SECTIONS = ['3', '37', '45A', '47', '48'] as const;

const optionalText = (max: number, label: string) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be ${max} characters or fewer`)
    .optional()
    .transform((v) => (v === undefined || v === '' ? null : v));

/** UK postcode, loosely: outward code, space optional, inward code. Stored upper-case with one space. */
const POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})$/;

export function personInputSchema(today: CivilDate) {
  const civilDate = (label: string) => {
    const Label = label.charAt(0).toUpperCase() + label.slice(1);
    return z
      .string({ error: `Enter ${label}` })
      .trim()
      .min(1, `Enter ${label}`)
      .refine(isCivilDate, `${Label} must be a real date`)
      .refine((d) => d <= today, `${Label} must be today or in the past`)
      .refine((d) => d >= '1900-01-01', `${Label} must be after 1900`)
      .transform((d) => d);
  };

  return z
    .object({
      givenName: z
        .string({ error: 'Enter a first name' })
        .trim()
        .min(1, 'Enter a first name')
        .max(100, 'First name must be 100 characters or fewer'),
      familyName: z
        .string({ error: 'Enter a last name' })
        .trim()
        .min(1, 'Enter a last name')
        .max(100, 'Last name must be 100 characters or fewer'),
      preferredName: optionalText(100, 'Preferred name'),
      dateOfBirth: civilDate('date of birth'),
      nhsNumber: z
        .string()
        .optional()
        .transform((v) => (v === undefined ? '' : normaliseNhsNumber(v)))
        .refine((v) => v === '' || /^\d{10}$/.test(v), 'NHS number must be 10 digits')
        .refine(
          (v) => v === '' || !/^\d{10}$/.test(v) || isValidNhsNumber(v),
          'Enter a valid NHS number: the last digit does not match the check',
        )
        .transform((v) => (v === '' ? null : v)),
      councilPersonId: optionalText(40, 'Council person ID'),
      externalId: optionalText(100, 'External ID'),
      addressLine1: optionalText(200, 'Address line 1'),
      addressLine2: optionalText(200, 'Address line 2'),
      town: optionalText(100, 'Town or city'),
      postcode: z
        .string()
        .optional()
        .transform((v) => (v ?? '').trim().toUpperCase())
        .refine((v) => v === '' || POSTCODE.test(v), 'Enter a real postcode, like LS1 4AP')
        .transform((v) => (v === '' ? null : v.replace(POSTCODE, '$1 $2'))),
      phone: z
        .string()
        .optional()
        .transform((v) => (v ?? '').trim())
        .refine(
          (v) => v === '' || /^[+\d][\d\s()-]{6,19}$/.test(v),
          'Enter a phone number, like 01632 960 001 or 07700 900 982',
        )
        .transform((v) => (v === '' ? null : v)),
      email: z
        .string()
        .optional()
        .transform((v) => (v ?? '').trim())
        .refine(
          (v) => v === '' || z.email().safeParse(v).success,
          'Enter an email address in the correct format, like name@example.com',
        )
        .transform((v) => (v === '' ? null : v)),
      communicationNeeds: optionalText(1000, 'Communication needs'),
      primarySupportReason: z
        .enum(PRIMARY_SUPPORT_REASONS, { error: 'Select the primary support reason' })
        .default('Mental Health Support'),
      s117Section: z
        .union([z.enum(S117_SECTIONS), z.literal(''), z.null()], {
          error: 'Select the section they were detained under, or none',
        })
        .optional()
        .transform((v) => (v === '' || v === undefined ? null : v)),
      s117DischargeDate: z
        .string()
        .optional()
        .nullable()
        .transform((v) => (v ?? '').trim()),
      careCoordinatorId: z
        .union([z.uuid({ error: 'Select a care coordinator' }), z.literal(''), z.null()])
        .optional()
        .transform((v) => v || null),
      teamId: z
        .union([z.uuid({ error: 'Select a team' }), z.literal(''), z.null()])
        .optional()
        .transform((v) => v || null),
    })
    .superRefine((p, ctx) => {
      const d = p.s117DischargeDate;
      if (p.s117Section && d === '') {
        ctx.addIssue({
          code: 'custom',
          path: ['s117DischargeDate'],
          message: 'Enter the date they left hospital (section 117 after-care starts then)',
        });
      }
      if (d !== '') {
        if (!isCivilDate(d))
          ctx.addIssue({
            code: 'custom',
            path: ['s117DischargeDate'],
            message: 'Discharge date must be a real date',
          });
        else if (d > today)
          ctx.addIssue({
            code: 'custom',
            path: ['s117DischargeDate'],
            message: 'Discharge date must be today or in the past',
          });
        else if (d < p.dateOfBirth)
          ctx.addIssue({
            code: 'custom',
            path: ['s117DischargeDate'],
            message: 'Discharge date must be after the date of birth',
          });
        if (!p.s117Section)
          ctx.addIssue({
            code: 'custom',
            path: ['s117Section'],
            message: 'Select the section they were detained under, or remove the discharge date',
          });
      }
    })
    .transform((p) => ({
      ...p,
      s117DischargeDate: p.s117DischargeDate === '' ? null : (p.s117DischargeDate as CivilDate),
    }));
}

export type PersonInput = z.output<ReturnType<typeof personInputSchema>>;
/** What a client sends (before normalising). */
export type PersonInputRaw = z.input<ReturnType<typeof personInputSchema>>;
