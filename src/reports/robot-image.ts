// The WeCom group robot's image message: the raw bytes as base64 plus their md5 (the robot checks one against the
// other). It takes only JPG or PNG of at most 2 MB before base64; we refuse here, with words an operator can act on,
// rather than let the webhook answer with an errcode.
import { createHash } from 'node:crypto';

/** 2 MB, counted on the image itself, not on its base64. */
export const ROBOT_IMAGE_MAX_BYTES = 2 * 1024 * 1024;

export interface RobotImageMessage {
  msgtype: 'image';
  image: { base64: string; md5: string };
}

export type RobotImageErrorCode = 'IMAGE_TOO_LARGE' | 'IMAGE_NOT_JPG_OR_PNG';

export class RobotImageError extends Error {
  override name = 'RobotImageError';
  constructor(
    readonly code: RobotImageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);

export function robotImage(image: Buffer): RobotImageMessage {
  if (image.length > ROBOT_IMAGE_MAX_BYTES) {
    const mb = (image.length / 1024 / 1024).toFixed(2);
    throw new RobotImageError(
      'IMAGE_TOO_LARGE',
      `图片有 ${mb} MB，超过企业微信群机器人允许的 2 MB，无法发送；请缩小图表尺寸后重新生成。`,
    );
  }
  const startsWith = (signature: Buffer) => image.subarray(0, signature.length).equals(signature);
  if (!startsWith(PNG_SIGNATURE) && !startsWith(JPEG_SIGNATURE)) {
    throw new RobotImageError('IMAGE_NOT_JPG_OR_PNG', '企业微信群机器人只能发送 JPG 或 PNG 图片，这份数据两者都不是。');
  }
  return {
    msgtype: 'image',
    image: { base64: image.toString('base64'), md5: createHash('md5').update(image).digest('hex') },
  };
}
