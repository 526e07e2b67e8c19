export * from './codes.js';
export {
  judgedLevel,
  RuleEngine,
  type Grade,
  type GradeReason,
  type Notice,
  type Routing,
  type TextClassification,
  type TicketFacts,
} from './engine.js';
export { buildPacks, parsePack, RulePackError, type RulePack } from './pack-loader.js';
