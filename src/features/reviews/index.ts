// What other features may use from reviews: the legal timetable and the review store.
export * from './rules.js';
export { cancelOutstandingPlanned, dueReviews, insertReviews, reviewsOf } from './store.js';
export type { DueReview, NewReview } from './store.js';
