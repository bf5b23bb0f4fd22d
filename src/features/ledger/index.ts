// What other features may use from the ledger: the posting rules and types, LedgerError, and the
// store functions (each takes a transaction inside inPartnership).
export * from './rules.js';
export {
  balanceByKey,
  balances,
  ensureAccounts,
  post,
  postMany,
  recover,
  reverse,
  transactionsByKey,
} from './store.js';
// For the API: a person's transactions a page at a time, and the net of each kind on accounts.
export { accountsOfPerson, netByTransactionKind, personLedgerPage } from './person-reads.js';
export type {
  LedgerCursor,
  LedgerEntryView,
  LedgerPage,
  LedgerTransactionView,
} from './person-reads.js';

// The ledger page and its CSVs for finance officers.
export { ledgerRoutes } from './routes.js';
