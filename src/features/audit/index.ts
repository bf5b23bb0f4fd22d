// What other features may use from the audit feature.
export { accessHistoryFor, type AccessHistoryItem } from './store.js';
export { accessSentence } from './rules.js';
