export * from './codes.js';
export { classify, looksLikeProblem } from './classify.js';
