import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

// Residents' names and phone numbers and platform secrets never reach the log.
const redact = {
  paths: [
    'phone',
    '*.phone',
    'profile.name',
    'intake.name',
    'draft.name',
    'residentName',
    '*.residentName',
    'secret',
    '*.secret',
    'access_token',
    '*.access_token',
    'authorization',
    '*.authorization',
  ],
  censor: '[已隐藏]',
};

export function createLogger(level: string = 'info', destination?: DestinationStream): Logger {
  return pino({ level, redact, base: { service: 'kf-service-desk' } }, destination);
}
