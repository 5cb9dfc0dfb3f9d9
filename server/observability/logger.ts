import pino, { type Logger } from 'pino';

/** One pino logger per process. Anything that could carry a secret is redacted by path. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-api-key"]',
          'req.headers.cookie',
          '*.password',
          '*.secret',
          '*.refreshToken',
          '*.accessToken',
          'variables',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
