// The admin forms, one zod schema each: they validate the posted form and type what it yields.
import { z } from 'zod';
import { passwordProblem } from '../../platform/auth/passwords.js';
import { RoleSchema, ORGANISATION_KINDS } from '../../platform/auth/roles.js';
import { API_PERMISSIONS } from '../../platform/auth/api-tokens.js';

/** Checkboxes post nothing, one string or several: always an array. */
const asArray = (v: unknown): unknown[] =>
  v === undefined || v === '' ? [] : Array.isArray(v) ? (v as unknown[]) : [v];
const checked = <T extends z.ZodType>(item: T) => z.preprocess(asArray, z.array(item));

const optionalId = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z.uuid('Select an organisation from the list').optional(),
);

const temporaryPassword = z
  .string()
  .optional()
  .transform((v) => v?.trim() ?? '')
  .superRefine((v, ctx) => {
    if (v === '') return;
    const problem = passwordProblem(v);
    if (problem)
      ctx.addIssue({
        code: 'custom',
        message: problem.replace('Password', 'The temporary password'),
      });
  });

const fullName = z
  .string({ error: 'Enter their full name' })
  .trim()
  .min(1, 'Enter their full name')
  .max(200, 'Full name must be 200 characters or fewer');

export const NewUserForm = z.object({
  fullName,
  email: z
    .string({ error: 'Enter their email address' })
    .trim()
    .min(1, 'Enter their email address')
    .pipe(z.email('Enter an email address in the correct format, like name@example.org'))
    .transform((e) => e.toLowerCase()),
  organisationId: optionalId,
  teams: checked(z.uuid('Select teams from the list')),
  roles: checked(RoleSchema),
  temporaryPassword,
});
export type NewUserForm = z.infer<typeof NewUserForm>;

export const EditUserForm = z.object({
  fullName,
  organisationId: optionalId,
  teams: checked(z.uuid('Select teams from the list')),
  roles: checked(RoleSchema),
});
export type EditUserForm = z.infer<typeof EditUserForm>;

export const ResetPasswordForm = z.object({ temporaryPassword });

export const TeamForm = z.object({
  name: z
    .string({ error: 'Enter the team name' })
    .trim()
    .min(1, 'Enter the team name')
    .max(200, 'Team name must be 200 characters or fewer'),
  organisationId: z.uuid('Select the organisation the team belongs to'),
});
export type TeamForm = z.infer<typeof TeamForm>;

export const TeamMemberForm = z.object({
  userId: z.uuid('Select the person to add'),
});

export const OrganisationForm = z.object({
  name: z
    .string({ error: 'Enter the organisation name' })
    .trim()
    .min(1, 'Enter the organisation name')
    .max(200, 'Organisation name must be 200 characters or fewer'),
  kind: z.enum(ORGANISATION_KINDS, { error: 'Select the kind of organisation' }),
  odsCode: z
    .string()
    .optional()
    .transform((v) => v?.trim().toUpperCase() ?? '')
    .refine((v) => v === '' || /^[A-Z0-9]{3,10}$/.test(v), {
      message: 'ODS code must be 3 to 10 letters or numbers, like RX4',
    }),
});
export type OrganisationForm = z.infer<typeof OrganisationForm>;

export const ApiClientForm = z.object({
  name: z
    .string({ error: 'Enter a name for the client' })
    .trim()
    .min(1, 'Enter a name for the client')
    .max(200, 'Name must be 200 characters or fewer'),
  permissions: checked(
    z.enum(API_PERMISSIONS, { error: 'Select permissions from the list' }),
  ).refine((p) => p.length > 0, { message: 'Select at least one permission' }),
});
export type ApiClientForm = z.infer<typeof ApiClientForm>;
