// A support plan's content: one document per plan version, written by the person with their
// coordinator. It is made of the rules' own schemas (outcomes, items, streams with their holding
// options, risks, the NHS risk-management procedure), plus the crisis plan, the justification
// for going over the indicative budget and the start date. Pure: zod only.
import { z } from 'zod';
import {
  planItemSchema,
  planOutcomeSchema,
  planStreamSchema,
  riskManagementProcedureSchema,
  riskSchema,
  type PlanForCheck,
} from './rules.js';

export const crisisSchema = z.object({
  whoToCall: z.string().trim().max(2000).default(''),
  whatToDo: z.string().trim().max(5000).default(''),
  /** Money set aside for a crisis, a year, in whole pence. */
  setAsidePence: z.number().int().min(0).max(100_000_000).default(0),
});

export const planDocumentSchema = z.object({
  outcomes: z.array(planOutcomeSchema).max(50).default([]),
  items: z.array(planItemSchema).max(200).default([]),
  streams: z.array(planStreamSchema).max(20).default([]),
  crisis: crisisSchema.default({ whoToCall: '', whatToDo: '', setAsidePence: 0 }),
  risks: z.array(riskSchema).max(50).default([]),
  /** For an NHS direct payment: the procedure the regulations require (structured). */
  riskManagementProcedure: riskManagementProcedureSchema.nullable().default(null),
  /** Why the plan costs more than the indicative budget. */
  overBudgetJustification: z.string().trim().max(5000).default(''),
  /** When the support starts. */
  startsOn: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .nullable()
    .default(null),
});
export type PlanDocument = z.infer<typeof planDocumentSchema>;

export const EMPTY_PLAN: PlanDocument = planDocumentSchema.parse({});

/** Reads a stored document; an unreadable one becomes an empty plan, never a crash. */
export function readPlanDocument(stored: unknown): PlanDocument {
  const r = planDocumentSchema.safeParse(stored);
  return r.success ? r.data : planDocumentSchema.parse({});
}

/** The plan as the plan check reads it. */
export function forCheck(doc: PlanDocument, indicativeAnnualPence: number | null): PlanForCheck {
  return {
    outcomes: doc.outcomes,
    items: doc.items,
    streams: doc.streams,
    indicativeAnnualPence,
    overBudgetJustification: doc.overBudgetJustification,
    riskManagementProcedure: doc.riskManagementProcedure,
  };
}
