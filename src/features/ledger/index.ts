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
