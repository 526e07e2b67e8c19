export * from './ticket.js';
export * from './incident.js';
