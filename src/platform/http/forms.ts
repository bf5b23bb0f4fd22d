// One form round-trip: validate a posted form with a zod schema; on failure the caller
// re-renders the same page with status 400, the error summary and the person's answers kept.
import type { z } from 'zod';
import type { FieldError } from './errors.js';

export interface ErrorSummaryItem {
  text: string;
  href: string;
}

export type FormResult<T> =
  | { ok: true; data: T }
  | {
      ok: false;
      errors: FieldError[];
      errorList: ErrorSummaryItem[];
      fieldErrors: Record<string, string>;
    };

export function validateForm<S extends z.ZodType>(
  schema: S,
  body: unknown,
): FormResult<z.infer<S>> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const issue of parsed.error.issues) {
    const field = issue.path.map(String).join('.') || 'form';
    if (seen.has(field)) continue;
    seen.add(field);
    errors.push({ field, message: issue.message });
  }
  return { ok: false, ...describeErrors(errors) };
}

/** Turn field errors into what the NHS.UK error summary and field error messages need. */
export function describeErrors(errors: FieldError[]): {
  errors: FieldError[];
  errorList: ErrorSummaryItem[];
  fieldErrors: Record<string, string>;
} {
  return {
    errors,
    errorList: errors.map((e) => ({ text: e.message, href: `#${e.field.replaceAll('.', '-')}` })),
    fieldErrors: Object.fromEntries(errors.map((e) => [e.field, e.message])),
  };
}

/** Form bodies arrive as strings or string arrays; normalise one field to a trimmed string. */
export function field(body: unknown, name: string): string {
  if (typeof body !== 'object' || body === null) return '';
  const v = (body as Record<string, unknown>)[name];
  if (Array.isArray(v)) return typeof v[0] === 'string' ? v[0].trim() : '';
  return typeof v === 'string' ? v.trim() : '';
}
