// What other features may use from planning: the support plan service and the plan document.
export { createPlanningService, PLAN_NOT_FOUND } from './service.js';
export type { PlanApproved, PlanningService, PlanView } from './service.js';
export { planDocumentSchema } from './document.js';
export type { PlanDocument } from './document.js';
export { PLAN_CHECK_RULES, SIGN_OFF_LEVELS } from './rules.js';
export type { PlanCheck, PlanProblem, SignOffLevel } from './rules.js';
export type { DecisionRecord, PlanRecord } from './store.js';
export { PLAN_ITEM_CATEGORIES, PLAN_ITEM_CATEGORY_LABELS, FUNDING_BODIES } from './items.js';
export type { FundingBody, PlanItemCategory } from './items.js';
// For budgets (issue 5): costing items and the plan's streams and items.
export { costItem } from './rules.js';
export type { HoldingOption, ItemCost, PlanItem, PlanStream } from './rules.js';
