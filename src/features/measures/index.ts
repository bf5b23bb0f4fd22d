// What other features may use from measures: the scoring rules and the questionnaires' ids.
export * from './rules.js';
export * from './questionnaires.js';
