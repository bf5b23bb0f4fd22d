// What other features may use from assessment: the service, the answers' types and the rules.
export { createAssessmentService } from './service.js';
export type { AssessmentService, AssessmentView, PersonAssessments } from './service.js';
export {
  assessmentAnswersSchema,
  missingItems,
  sectionProblems,
  sectionSchemas,
  toEligibilityInput,
  SECTIONS,
} from './answers.js';
export type { AssessmentAnswers, MissingItem, SectionId, Sections } from './answers.js';
export { decideEligibility, ELIGIBILITY_RULES_VERSION } from './eligibility.js';
export type { EligibilityDecision } from './eligibility.js';
export { assessmentCaseloadActions, assessmentPanel, assessmentRoutes } from './routes.js';
