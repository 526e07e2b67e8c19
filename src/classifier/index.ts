export { CorpusError, type LabelledLine, parseCorpus, type Slots } from './corpus.js';
export { featuresOf, type RuleView } from './features.js';
export { DEFAULT_TRAINING, type TrainOptions } from './linear-model.js';
export {
  emergencyProbability,
  HEADS,
  type HeadName,
  type LabelledFeatures,
  type ModelReading,
  parseModel,
  readWithModel,
  serialiseModel,
  type TextModel,
  trainModel,
} from './text-model.js';
