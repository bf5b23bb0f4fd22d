// What other features may use from measures: the scoring rules, the questionnaires' ids, and the
// service that records and reads a person's measurements (for the API).
export * from './rules.js';
export * from './questionnaires.js';
export {
  createMeasuresService,
  isRecordedInstrument,
  MEASURE_FIELDS,
  RECORDED_INSTRUMENTS,
} from './service.js';
export type {
  InstrumentHistory,
  Measurement,
  MeasuresService,
  MeasuresView,
  RecordedInstrument,
  RecordInput,
} from './service.js';
