// The intake's unit of work: one transaction per message or per group of concurrent messages, its writes buffered
// and sent in as few round trips as the database allows. Everything about how and when rows are written is here.
export { createIntakeStore } from './store.js';
