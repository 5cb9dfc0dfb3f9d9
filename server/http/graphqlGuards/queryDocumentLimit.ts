import type { Plugin } from 'graphql-yoga';
import { AppError } from '../../errors.ts';

/**
 * Refuses a query document longer than `maxBytes` before it is parsed (comments and whitespace
 * count: graphql-armor's token limit does not see them), on HTTP and graphql-ws alike.
 */
export function limitQueryDocument(maxBytes: number): Plugin {
  return {
    onParse: ({ params }) => {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      if (Buffer.byteLength(source) > maxBytes) {
        throw new AppError('PAYLOAD_TOO_LARGE', `The query document is over the limit of ${maxBytes} bytes.`, { maxBytes });
      }
    },
  };
}
