// What changed in a support plan between two saved versions, in plain English, for the person
// whose save came second: "Someone else changed this plan" is not enough to act on. Pure.
import type { PlanDocument } from './document.js';

type Named = { readonly id: string };

/** Added, removed and changed members of a list of parts with ids, each named by `name`. */
function listChanges<T extends Named>(
  label: string,
  before: readonly T[],
  after: readonly T[],
  name: (x: T) => string,
): string[] {
  const was = new Map(before.map((x) => [x.id, x]));
  const now = new Map(after.map((x) => [x.id, x]));
  const out: string[] = [];
  for (const x of after) {
    const old = was.get(x.id);
    if (!old) out.push(`${label} added: ${name(x)}`);
    else if (JSON.stringify(old) !== JSON.stringify(x)) out.push(`${label} changed: ${name(x)}`);
  }
  for (const x of before) if (!now.has(x.id)) out.push(`${label} removed: ${name(x)}`);
  return out;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

const quote = (text: string, max = 60): string =>
  `“${text.length > max ? `${text.slice(0, max - 1)}…` : text}”`;

/**
 * Every difference between two versions of a plan document, one sentence each, in the order the
 * plan is read: outcomes, items, funding streams, crisis plan, risks, the NHS risk-management
 * procedure, the justification and the start date. Empty when they are the same.
 */
export function describePlanChanges(before: PlanDocument, after: PlanDocument): string[] {
  const out = [
    ...listChanges('Outcome', before.outcomes, after.outcomes, (o) => quote(o.text)),
    ...listChanges('Support', before.items, after.items, (i) => quote(i.what)),
    ...listChanges('Funding stream', before.streams, after.streams, (s) => s.name),
  ];
  if (!same(before.crisis, after.crisis)) out.push('The crisis and contingency plan changed');
  out.push(...listChanges('Risk', before.risks, after.risks, (r) => quote(r.risk)));
  if (!same(before.riskManagementProcedure, after.riskManagementProcedure))
    out.push('The risk-management procedure for the NHS direct payment changed');
  if (before.overBudgetJustification !== after.overBudgetJustification)
    out.push('The reason for going over the indicative budget changed');
  if (before.startsOn !== after.startsOn) out.push('The start date changed');
  return out;
}
