// What other features may use from reviews: the legal timetable, the review store, and the
// service that records a review and asks for an unplanned one (for the API).
export * from './rules.js';
export { cancelOutstandingPlanned, dueReviews, insertReviews, reviewsOf } from './store.js';
export type { DueReview, NewReview } from './store.js';
export { createReviewService, REVIEW_NOT_FOUND } from './service.js';
export type { ReviewPlan, ReviewRecord, ReviewRecordInput, ReviewService } from './service.js';
