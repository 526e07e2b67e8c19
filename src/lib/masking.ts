// How personal data looks wherever people read it by default (console, group messages, logs, exports): enough to
// recognise a resident one is already talking to, not enough to find one.

const MOBILE = /(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)/g;

/** 13812345678 → 138****5678; other numbers keep their last four digits. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (/^1[3-9]\d{9}$/.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(7)}`;
  if (digits.length <= 4) return '*'.repeat(digits.length);
  return `${'*'.repeat(digits.length - 4)}${digits.slice(-4)}`;
}

/** 张三 → 张*, 欧阳娜娜 → 欧***, Kevin → K****: the first character kept, as on a courier's label. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.length ? '*' : '';
  return chars[0] + '*'.repeat(chars.length - 1);
}

/**
 * A resident's own words with their name and any mobile number masked: what a ticket keeps as its content and summary
 * (the name and phone themselves are kept encrypted in their own columns).
 */
export function maskPersonalText(text: string, who: { name?: string | null; phone?: string | null }): string {
  let out = text.replace(MOBILE, (_m, a: string, _b: string, c: string) => `${a}****${c}`);
  if (who.phone && who.phone.length >= 5) out = out.split(who.phone).join(maskPhone(who.phone));
  const name = who.name?.trim();
  // A one-character "name" would mask every such character of the text.
  if (name && [...name].length >= 2) out = out.split(name).join(maskName(name));
  return out;
}
