export {
  DEFAULT_MENU,
  type Menu,
  type MenuAction,
  parseOrganisation,
  type Organisation,
  type ProjectConfig,
} from './organisation.js';
export { inShift, isValidShift, onShift, type RosterEntry } from './roster.js';
