// Payee and account details of a holding account (pure): what a finance officer may record for
// each holding option, the checks on a UK bank account, a prepaid card reference and a holding
// organisation, and how an account reference is masked wherever it is shown but the details page.
import type { FieldError } from '../../platform/http/errors.js';
import type { Holding } from './rules.js';

export type AccountKind = 'bank' | 'card' | 'organisation';

export const ACCOUNT_KIND_LABELS: Readonly<Record<AccountKind, string>> = {
  bank: 'UK bank account',
  card: 'Prepaid card',
  organisation: 'The organisation holding the money',
};

/** What may be recorded for a holding option: an organisation holds third-party money and ISFs. */
export function kindsFor(holding: Holding): AccountKind[] {
  return holding === 'third_party' || holding === 'individual_service_fund'
    ? ['organisation', 'bank', 'card']
    : ['bank', 'card'];
}

export type AccountDetails =
  | { kind: 'bank'; payeeName: string; sortCode: string; accountNumber: string }
  | { kind: 'card'; payeeName: string; cardReference: string }
  | { kind: 'organisation'; payeeName: string; organisationReference: string };

export interface AccountForm {
  kind: string;
  payeeName: string;
  sortCode: string;
  accountNumber: string;
  cardReference: string;
  organisationReference: string;
}

export const PAYEE_NAME_MAX = 140;
export const REFERENCE_MAX = 60;

const squash = (s: string) => s.replace(/[\s-]/g, '');

/**
 * Checks a posted form for a holding option. Sort codes may be written 12-34-56, 12 34 56 or
 * 123456; account numbers with or without spaces. Each problem names its field.
 */
export function parseAccountForm(
  form: AccountForm,
  holding: Holding,
): { ok: true; details: AccountDetails } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const kinds = kindsFor(holding);
  const kind = kinds.find((k) => k === form.kind);
  if (!kind)
    errors.push({
      field: 'kind',
      message:
        kinds.length === 3
          ? 'Choose a bank account, a prepaid card or the organisation holding the money'
          : 'Choose a bank account or a prepaid card',
    });
  const payeeName = form.payeeName.trim();
  if (payeeName === '')
    errors.push({
      field: 'payeeName',
      message:
        kind === 'organisation'
          ? 'Enter the name of the organisation'
          : 'Enter the name on the account or card',
    });
  else if (payeeName.length > PAYEE_NAME_MAX)
    errors.push({
      field: 'payeeName',
      message: `The name must be ${String(PAYEE_NAME_MAX)} characters or fewer`,
    });
  const sortCode = squash(form.sortCode);
  const accountNumber = squash(form.accountNumber);
  const cardReference = form.cardReference.trim();
  const organisationReference = form.organisationReference.trim();
  if (kind === 'bank') {
    if (!/^\d{6}$/.test(sortCode))
      errors.push({ field: 'sortCode', message: 'Enter a sort code of 6 digits, like 30-94-57' });
    if (!/^\d{8}$/.test(accountNumber))
      errors.push({
        field: 'accountNumber',
        message: 'Enter an account number of 8 digits, like 00733445',
      });
  }
  if (kind === 'card') {
    if (cardReference === '')
      errors.push({
        field: 'cardReference',
        message: 'Enter the card reference as the card provider prints it on statements',
      });
    else if (cardReference.length > REFERENCE_MAX)
      errors.push({
        field: 'cardReference',
        message: `The card reference must be ${String(REFERENCE_MAX)} characters or fewer`,
      });
  }
  if (kind === 'organisation') {
    if (organisationReference === '')
      errors.push({
        field: 'organisationReference',
        message: 'Enter the organisation’s supplier reference in the finance system',
      });
    else if (organisationReference.length > REFERENCE_MAX)
      errors.push({
        field: 'organisationReference',
        message: `The supplier reference must be ${String(REFERENCE_MAX)} characters or fewer`,
      });
  }
  if (errors.length > 0 || !kind) return { ok: false, errors };
  switch (kind) {
    case 'bank':
      return { ok: true, details: { kind, payeeName, sortCode, accountNumber } };
    case 'card':
      return { ok: true, details: { kind, payeeName, cardReference } };
    case 'organisation':
      return { ok: true, details: { kind, payeeName, organisationReference } };
  }
}

/** A sort code as it is written: 30-94-57. */
export const formatSortCode = (s: string): string =>
  `${s.slice(0, 2)}-${s.slice(2, 4)}-${s.slice(4, 6)}`;

/**
 * An account reference as it is shown everywhere but the details page: one made only of digits,
 * spaces, hyphens and asterisks (a bank account, "30-94-57 00733445", or a card number) shows
 * only its last 4 digits; others (a provider's account id, a supplier reference) are shown as
 * they are. The length and separators are kept.
 */
export function maskAccountReference(reference: string): string {
  if (!/^[\d\s*-]+$/.test(reference)) return reference;
  const digits = reference.replace(/\D/g, '').length;
  if (digits <= 4) return reference;
  let seen = 0;
  return reference.replace(/\d/g, (d) => (++seen > digits - 4 ? d : '*'));
}
