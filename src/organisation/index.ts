export { parseOrganisation, type Organisation, type ProjectConfig } from './organisation.js';
export { inShift, isValidShift, onShift, type RosterEntry } from './roster.js';
