export { parseCallbackXml, field, buildXml, cdata, type XmlFields } from './xml.js';
export { signature, verifySignature, checkFreshness, openEnvelope, sealEnvelope, safeEqual } from './envelope.js';
