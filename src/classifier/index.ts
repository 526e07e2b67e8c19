export { CorpusError, type LabelledLine, parseCorpus, type Slots } from './corpus.js';
export { featuresOf, type RuleView } from './features.js';
export { DEFAULT_TRAINING, type TrainOptions } from './linear-model.js';
export {
  type EmergencyRule,
  emergencyProbability,
  fitTemperatures,
  HEADS,
  isEmergency,
  type HeadName,
  type LabelledFeatures,
  type ModelReading,
  parseModel,
  readWithModel,
  recalibrated,
  serialiseModel,
  type Temperatures,
  type TextModel,
  trainModel,
} from './text-model.js';
