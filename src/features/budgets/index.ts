// What other features may use from budgets: making budgets when a plan is approved, the budget
// and payment-run services, and the pure period rules.
export { createBudgetsForApprovedPlan, createBudgetsService } from './service.js';
export type { ApprovedPlan, BudgetPanel, BudgetsService, CreatedBudgets } from './service.js';
export { createPaymentsService } from './payments.js';
export { renewBudgetsForYear } from './renew.js';
export type { RenewalResult } from './renew.js';
export type { PaymentsService, RunPreview } from './payments.js';
export { financialYearOf, periodOf, periodsOf, paymentFile } from './rules.js';
// For the generator (issue 5 point 9): the same budget, schedule and reference rules as the app.
export { planBudgets, lineReference, routeOf, addDays, dayNumber } from './rules.js';
export type { BudgetPlan, FundingBody as BudgetFundingBody } from './rules.js';
export { providerKey, streamsForBudget } from './service.js';
// For the API (issue 5 points 8 and 9): budgets with the plan's cost by item, and payment runs.
export {
  budgetsForApi,
  paymentFileForApi,
  paymentRunForApi,
  paymentRunsForApi,
} from './api-reads.js';
export type { BudgetForApi, PlannedItem, RunForApi } from './api-reads.js';
// Account references as shown outside the payee and account details page.
export { maskAccountReference } from './accounts-rules.js';
// For the demo: payee and account details recorded as a finance officer records them.
export { createPaymentAccountsService } from './accounts.js';
