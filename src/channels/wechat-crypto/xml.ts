// Hardened XML for WeCom / Official Account callbacks: no DTDs, no entities, values kept as strings.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '../../lib/errors.js';

const parser = new XMLParser({
  processEntities: false,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreAttributes: true,
  trimValues: true,
  cdataPropName: false,
  // No callback reads the path: skip building its string at every tag.
  jPath: false,
});

export type XmlFields = Record<string, unknown>;

/** Parses `<xml>…</xml>` into its child fields. Any DOCTYPE or ENTITY declaration is refused outright. */
export function parseCallbackXml(body: string): XmlFields {
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) throw new AppError('XML_DOCTYPE', 'XML 不允许包含 DOCTYPE 或实体声明');
  if (XMLValidator.validate(body) !== true) throw new AppError('BAD_XML', 'XML 格式错误');
  const doc = parser.parse(body) as { xml?: unknown };
  if (!doc.xml || typeof doc.xml !== 'object') throw new AppError('BAD_XML', '缺少 <xml> 根元素');
  return doc.xml as XmlFields;
}

export function field(x: XmlFields, name: string): string | undefined {
  const v = x[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** CDATA cannot contain "]]>": split it across two sections. */
export function cdata(value: string): string {
  return `<![CDATA[${value.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

type XmlValue = string | number | { [k: string]: XmlValue };

export function buildXml(fields: Record<string, XmlValue>): string {
  return `<xml>${elements(fields)}</xml>`;
}

function elements(fields: Record<string, XmlValue>): string {
  return Object.entries(fields)
    .map(([k, v]) =>
      typeof v === 'number'
        ? `<${k}>${v}</${k}>`
        : typeof v === 'string'
          ? `<${k}>${cdata(v)}</${k}>`
          : `<${k}>${elements(v)}</${k}>`,
    )
    .join('');
}
