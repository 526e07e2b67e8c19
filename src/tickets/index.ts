export * from './ticket.js';
export * from './incident.js';
export * from './deadline.js';
export * from './plan-deadlines.js';
export * from './approval.js';
