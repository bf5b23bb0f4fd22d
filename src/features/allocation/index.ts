// What other features may use from allocation: the RAS rules, the demo RAS, and the store of
// RAS versions, allocations and overrides (called inside the caller's partnership transaction).
export {
  calculateIndicativeBudget,
  formatBasisPoints,
  impactPreview,
  parseRasVersion,
  rasVersionSchema,
  section117Streams,
} from './rules.js';
export type {
  IndicativeBudget,
  ImpactPreview,
  PersonAllocation,
  RasAnswers,
  RasVersion,
  RasVersionInput,
  ScoredAnswer,
} from './rules.js';
export { DEMO_RAS } from './demo-ras.js';
export {
  allocationById,
  allocationsForAssessments,
  currentRasVersion,
  insertAllocation,
  insertRasVersion,
  listRasVersions,
  publishRasVersion,
  rasVersionById,
  rasVersionByCode,
  recalculate,
  RAS_IN_USE_MESSAGE,
} from './store.js';
export type { AllocationOverride, StoredAllocation, StoredRasVersion } from './store.js';
export { previewImpact } from './preview.js';
export type { ImpactPreviewResult } from './preview.js';
export { currentAllocationId } from './budget-store.js';
