// The KPIs of a month (issue #14): one module for reports, the dashboard and exports. Pure.
export {
  type DeadlineFacts,
  type IncidentFacts,
  isMonth,
  type MonthFacts,
  monthRange,
  PROBLEM_KINDS,
  type ProblemFiling,
  REPEAT_WINDOW_DAYS,
  type TicketFacts,
} from './facts.js';
export {
  type CollectiveFigure,
  type CountFigure,
  type Dimension,
  DIMENSIONS,
  type DurationFigure,
  type FigureName,
  type IncidentCount,
  type KpiSet,
  type MonthKpis,
  type PerHouseholdFigure,
  type RateFigure,
  type SatisfactionFigure,
  UNASSIGNED,
} from './figures.js';
export { computeMonthKpis, type KpiOptions, kpiOptions } from './compute.js';
export {
  DIMENSION_LABELS,
  FIGURE_LABELS,
  formatHours,
  formatPercent,
  formatPerMille,
  PART_LABELS,
  UNASSIGNED_LABEL,
} from './labels.js';
