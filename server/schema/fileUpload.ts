import { badInput } from '../errors.ts';
import { stagedFile } from '../http/multipart.ts';
import type { UploadedFile } from '../services/jobs.ts';
import { builder } from './builder.ts';

builder.scalarType('File', {
  description: 'A file sent with the GraphQL multipart request spec.',
  serialize: () => {
    throw new Error('File is an input-only scalar.');
  },
  parseValue: (value) => {
    // Files parsed by our streaming multipart parser arrive as one-time tokens; Yoga's own
    // parser (in-process use) gives File-like objects. Check the shape, not the class.
    const file = (stagedFile(value) ?? value) as UploadedFile | null;
    if (!file || typeof file !== 'object' || typeof file.stream !== 'function' || typeof file.size !== 'number') {
      throw badInput('File must be sent as a multipart upload (GraphQL multipart request spec).', 'file');
    }
    return file;
  },
});
