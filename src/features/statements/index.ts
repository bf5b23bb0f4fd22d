// What other features may use from statements: the import, the formats, the categories and the
// tables of migration 0007 (monitoring keeps its flags and recoveries there).
export {
  DEFAULT_BATCH_SIZE,
  importStatement,
  StatementImportRefused,
  STORED_BAD_ROWS,
} from './import.js';
export type { ImportInput, ImportResult } from './import.js';
export { BUILT_IN_MAPPINGS, formatBadRow, STATEMENT_FORMATS } from './rules.js';
export type { BadRow, BuiltInFormat, ColumnMapping } from './rules.js';
export {
  categorise,
  isNeverBuy,
  NEVER_BUY_BY_BODY,
  NEVER_BUY_CATEGORIES,
  NEVER_BUY_LABELS,
} from './categories.js';
export type { NeverBuyCategory, SpendCategory } from './categories.js';
export { st } from './tables.js';
// The columns a bulk writer gives card_transactions (the generator's COPY uses them too).
export { CARD_COLUMNS } from './write.js';
export type { FlagKind, FlagStatus, RecoveryStatus, StatementTables } from './tables.js';
export { statementsImportCommand } from './cli.js';
export type { AfterImport } from './cli.js';
// For the API: a person's card and bank transactions, and spending by plan item.
export { cardTransactionsOfPerson, spendByPlanItem } from './api-reads.js';
export type { CardCursor, CardTransactionView, SpendByItem } from './api-reads.js';
export { statementRoutes } from './routes.js';
