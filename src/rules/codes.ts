// Codes from domain.md; Chinese labels are what people see.
export const KINDS = ['repair', 'complaint', 'inquiry', 'suggestion', 'praise'] as const;
export const CATEGORIES = ['engineering', 'planning', 'sales', 'property', 'service', 'other'] as const;
export const TRADES = ['civil', 'water_electric', 'hvac', 'doors_windows', 'fitout'] as const;
export const URGENCIES = ['emergency', 'normal'] as const;
export const LEVELS = ['major', 'hot', 'important', 'general'] as const;

export type Kind = (typeof KINDS)[number];
export type Category = (typeof CATEGORIES)[number];
export type Trade = (typeof TRADES)[number];
export type Urgency = (typeof URGENCIES)[number];
export type Level = (typeof LEVELS)[number];

export const KIND_LABEL: Record<Kind, string> = {
  repair: '报修',
  complaint: '投诉',
  inquiry: '咨询',
  suggestion: '建议',
  praise: '表扬',
};
export const CATEGORY_LABEL: Record<Category, string> = {
  engineering: '工程质量类',
  planning: '规划设计类',
  sales: '销售管理类',
  property: '物业管理类',
  service: '客户服务类',
  other: '其他类',
};
export const TRADE_LABEL: Record<Trade, string> = {
  civil: '土建',
  water_electric: '水电',
  hvac: '暖通',
  doors_windows: '门窗',
  fitout: '精装',
};
export const URGENCY_LABEL: Record<Urgency, string> = { emergency: '紧急', normal: '一般' };
export const LEVEL_LABEL: Record<Level, string> = {
  major: '重大事件',
  hot: '热点事件',
  important: '重要事件',
  general: '一般事件',
};

export interface Classification {
  kind: Kind;
  category: Category;
  trade: Trade | null;
  urgency: Urgency;
  /** A level code of the ticket's rule pack (the residential pack's are LEVELS). */
  level: string;
  /** 0..1: how sure the rules are; the rules-engine issue uses it to decide on a second opinion. */
  confidence: number;
}
