/** The filter arguments of `jobs` and `allJobs`, as Prisma where-inputs. */
import type { Viewer } from '../context.ts';
import type { Job, Prisma } from '../db/db.ts';
import { badInput } from '../errors.ts';
import { visibleJobWhere } from '../services/access/jobs.ts';

interface JobFilterArgs {
  status?: Job['status'] | null;
  search?: string | null;
  from?: Date | null;
  to?: Date | null;
}

/** Shared by `jobs` and `allJobs`: status, text, and creation in [from, to). */
function jobFilter(args: JobFilterArgs): Prisma.JobWhereInput {
  const search = args.search?.trim();
  if (search && search.length > 200) throw badInput('search is too long.', 'search');
  if (args.from && args.to && args.from.getTime() >= args.to.getTime()) throw badInput('from must be before to.', 'from');
  const createdAt = { ...(args.from ? { gte: args.from } : {}), ...(args.to ? { lt: args.to } : {}) };
  return {
    ...(args.status ? { status: args.status } : {}),
    ...(args.from || args.to ? { createdAt } : {}),
    ...(search
      ? {
          OR: [
            { filename: { contains: search, mode: 'insensitive' } },
            // Only jobs with no redaction in force are searched by their (original) text: a search must not
            // tell a reader of the redacted transcript what the original says.
            { text: { contains: search, mode: 'insensitive' }, redact: { isEmpty: true }, OR: [{ projectId: null }, { project: { redact: { isEmpty: true } } }] },
          ],
        }
      : {}),
  };
}

/** `jobs`: the viewer's own jobs; with projectId, every job of that project the viewer may see (members: all). */
export function ownJobsFilter(viewer: Viewer, args: JobFilterArgs & { projectId?: string | null }): Prisma.JobWhereInput {
  return {
    AND: [
      args.projectId ? { AND: [{ projectId: args.projectId }, visibleJobWhere(viewer)] } : { ownerId: viewer.user.id },
      jobFilter(args),
    ],
  };
}

/** `allJobs` (admins): every user's jobs, narrowed by owner and provider too. */
export function allJobsFilter(
  args: JobFilterArgs & { userId?: string | null; provider?: Job['provider'] | null },
): Prisma.JobWhereInput {
  return {
    ...jobFilter(args),
    ...(args.userId ? { ownerId: args.userId } : {}),
    ...(args.provider ? { provider: args.provider } : {}),
  };
}
