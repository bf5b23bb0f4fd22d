// What other features (and the composition root) may use from monitoring.
export { createMonitoringService, runMonitoring } from './service.js';
export { settingsOf } from './settings.js';
export { describeRun, monitorImported } from './after-import.js';
export type { MonitoringRun, MonitoringService, QueueFlag } from './service.js';
export { DEFAULT_SETTINGS, FLAG_KINDS, FLAG_LABELS } from './rules.js';
export { monitoringRoutes } from './routes.js';
export { monitoringCommand } from './cli.js';
export { lastDailyRun, runDailyMonitoring, startDailyJobs } from './daily.js';
