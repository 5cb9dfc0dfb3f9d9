// react-admin's data provider, written over urql against the real schema: every resource maps to
// the API's own queries and mutations (no second API shape for the console).
//
// Lists: the API pages with cursors, react-admin with page numbers. Each list remembers the
// cursor that ends every page it has seen (per filter and sort), so moving to the next or
// previous page is one request; jumping ahead walks the cursors in steps of 100, asking for
// nothing but the cursors.
import type { AnyVariables, Client, TypedDocumentNode } from '@urql/core';
import type {
  CreateParams,
  DataProvider,
  DeleteManyParams,
  DeleteParams,
  GetListParams,
  GetManyParams,
  GetManyReferenceParams,
  GetOneParams,
  Identifier,
  RaRecord,
  UpdateManyParams,
  UpdateParams,
} from 'react-admin';
import type {
  AdminJobStatsQuery,
  AdminUsageQuery,
  DatasetExportFieldsFragment,
  ReviewStatus,
  UsageGroupBy,
} from '../gql/graphql.js';
import { ApiError, unwrap } from './client.ts';
import * as ops from './operations.ts';

const MAX_PAGE = 100;
const MAX_EXPORT = 1000;

// Shapes of the API's answers come from the generated operation types, never restated here.
export type { UsageGroupBy };
export type UsageRow = AdminUsageQuery['adminUsage'][number];
export type JobStats = AdminJobStatsQuery['adminJobStats'];
/** What a reviewer decides: a review status other than PENDING. */
export type ReviewDecision = Exclude<ReviewStatus, 'PENDING'>;
export type DatasetExportRow = DatasetExportFieldsFragment;

export interface ParlanceDataProvider extends DataProvider {
  /** The urql client underneath (the job page subscribes through it). */
  client: Client;
  cancelJob: (id: Identifier) => Promise<{ data: RaRecord }>;
  retryJob: (id: Identifier) => Promise<{ data: RaRecord }>;
  usage: (params: { from?: string | null; to?: string | null; groupBy: UsageGroupBy }) => Promise<UsageRow[]>;
  jobStats: (params?: { from?: string | null; to?: string | null }) => Promise<JobStats>;
  /** Approves or rejects a recording of a project's review queue, with an optional note. */
  reviewRecording: (id: Identifier, status: ReviewDecision, note?: string | null) => Promise<{ data: RaRecord }>;
  /** Starts a dataset export of the project's approved recordings (or answers the one under way). */
  exportDataset: (projectId: Identifier) => Promise<DatasetExportRow>;
  /** The project's latest dataset exports, newest first. */
  projectExports: (projectId: Identifier) => Promise<DatasetExportRow[]>;
}

interface Connection<N> {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
  edges: { node: N }[];
}

interface PagedResource<V extends AnyVariables, N> {
  list: TypedDocumentNode<any, V & { first?: number | null; after?: string | null }>;
  cursors: TypedDocumentNode<any, V & { first?: number | null; after?: string | null }>;
  /** The connection inside a result (null: the parent object is gone). */
  connection: (data: any) => Connection<N> | null;
  variables: (filter: Record<string, any>, sort: GetListParams['sort']) => V;
}

const notFound = (resource: string, id: Identifier) => new ApiError(`No ${resource.replace(/s$/, '')} with id ${id}.`, 'NOT_FOUND', 404);
const unsupported = (what: string) => new ApiError(what, 'BAD_USER_INPUT', 400);
const text = (value: unknown) => (typeof value === 'string' && value.trim() !== '' ? value.trim() : null);
const oneOf = <T extends string>(value: unknown, values: readonly T[]): T | null =>
  typeof value === 'string' && (values as readonly string[]).includes(value) ? (value as T) : null;
const bool = (value: unknown): boolean | null =>
  value === true || value === 'true' ? true : value === false || value === 'false' ? false : null;
/** A date filter as the API's DateTime: a day (YYYY-MM-DD, a date input's value) is its UTC midnight. */
const instant = (value: unknown): string | null => {
  const given = value instanceof Date ? value.toISOString() : text(value);
  if (!given) return null;
  const at = new Date(/^\d{4}-\d{2}-\d{2}$/.test(given) ? `${given}T00:00:00Z` : given);
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
};

const USER_ORDERS: Record<string, [string, string]> = {
  id: ['NEWEST', 'OLDEST'],
  createdAt: ['NEWEST', 'OLDEST'],
  username: ['USERNAME_DESC', 'USERNAME_ASC'],
  email: ['EMAIL_DESC', 'EMAIL_ASC'],
};

function userOrder(sort: GetListParams['sort']) {
  const pair = sort ? USER_ORDERS[sort.field] : undefined;
  if (!pair) return 'NEWEST' as const;
  return (sort!.order === 'ASC' ? pair[1] : pair[0]) as 'NEWEST' | 'OLDEST' | 'USERNAME_ASC' | 'USERNAME_DESC' | 'EMAIL_ASC' | 'EMAIL_DESC';
}

const ROLES = ['USER', 'ADMIN'] as const;
const STATUSES = ['QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED', 'CANCELLED'] as const;
const PROVIDERS = ['LOCAL', 'OPENAI', 'DEEPGRAM', 'ASSEMBLYAI'] as const;
const REVIEW_STATUSES = ['PENDING', 'APPROVED', 'REJECTED'] as const;

const paged = {
  users: {
    list: ops.UsersQuery,
    cursors: ops.UserCursorsQuery,
    connection: (data: any) => data.users,
    variables: (filter, sort) => ({
      search: text(filter.q),
      role: oneOf(filter.role, ROLES),
      active: bool(filter.isActive),
      orderBy: userOrder(sort),
    }),
  },
  jobs: {
    list: ops.JobsQuery,
    cursors: ops.JobCursorsQuery,
    connection: (data: any) => data.allJobs,
    variables: (filter) => ({
      search: text(filter.q),
      status: oneOf(filter.status, STATUSES),
      provider: oneOf(filter.provider, PROVIDERS),
      userId: text(filter.userId),
      // Created in [createdFrom, createdBefore): the API refuses a range that ends before it starts.
      from: instant(filter.createdFrom),
      to: instant(filter.createdBefore),
    }),
  },
  // The signed-in user's own jobs (every role); `jobs` above is every user's, for admins.
  myJobs: {
    list: ops.MyJobsQuery,
    cursors: ops.MyJobCursorsQuery,
    connection: (data: any) => data.jobs,
    variables: (filter) => ({
      search: text(filter.q),
      status: oneOf(filter.status, STATUSES),
      from: instant(filter.createdFrom),
      to: instant(filter.createdBefore),
    }),
  },
  projects: {
    list: ops.ProjectsQuery,
    cursors: ops.ProjectCursorsQuery,
    connection: (data: any) => data.projects,
    variables: () => ({}),
  },
  prompts: {
    list: ops.ProjectPromptsQuery,
    cursors: ops.ProjectPromptCursorsQuery,
    connection: (data: any) => data.project?.prompts ?? null,
    variables: (filter) => {
      const id = text(filter.projectId);
      if (!id) throw unsupported('Prompts are listed per project (filter.projectId).');
      return { id };
    },
  },
  recordings: {
    list: ops.ProjectRecordingsQuery,
    cursors: ops.ProjectRecordingCursorsQuery,
    connection: (data: any) => data.project?.recordings ?? null,
    variables: (filter) => {
      const id = text(filter.projectId);
      if (!id) throw unsupported('Recordings are listed per project (filter.projectId).');
      return { id, reviewStatus: oneOf(filter.reviewStatus, REVIEW_STATUSES) };
    },
  },
  audit: {
    list: ops.AuditLogQuery,
    cursors: ops.AuditCursorsQuery,
    connection: (data: any) => data.auditLog,
    variables: (filter) => ({
      actorId: text(filter.actorId),
      action: text(filter.action),
      targetId: text(filter.targetId),
    }),
  },
  outbox: {
    list: ops.OutboxQuery,
    cursors: ops.OutboxCursorsQuery,
    connection: (data: any) => data.outbox,
    variables: (filter) => ({ unsent: bool(filter.unsent) }),
  },
} satisfies Record<string, PagedResource<any, any>>;

type PagedName = keyof typeof paged;
const isPaged = (resource: string): resource is PagedName => Object.hasOwn(paged, resource);

/** Records as react-admin shows them: the API's objects, with a few conveniences flattened in. */
function toRecord(resource: string, node: any): any {
  if (resource === 'users') return { ...node, monthlyAudioMinutes: node.quota?.monthlyAudioMinutes ?? null };
  if (resource === 'jobs' || resource === 'myJobs') return { ...node, userId: node.owner?.id ?? null };
  if (resource === 'projects') {
    const owners = (node.members ?? []).filter((member: any) => member.role === 'OWNER');
    return {
      ...node,
      membersCount: node.members?.length ?? 0,
      promptsCount: node.prompts?.totalCount ?? 0,
      owners: owners.map((member: any) => member.user.username).join(', '),
    };
  }
  if (resource === 'audit') {
    let details: unknown = node.details;
    try {
      details = JSON.parse(node.details);
    } catch {
      // kept as text
    }
    return { ...node, actorId: node.actor?.id ?? null, detailsObject: details };
  }
  if (resource === 'webhooks') return { ...node, projectId: node.project?.id ?? null, ownerId: node.owner?.id ?? null };
  return node;
}

/** Filters of the webhooks list the API applies; the rest (q) are applied here. */
const WEBHOOK_SERVER_FILTERS = ['allUsers', 'ownerId', 'enabled'];

export function createDataProvider(client: Client): ParlanceDataProvider {
  /** Cursor ending page n (1-based) of a list, per list signature; page 0 ends at the start (null). */
  const cursorCache = new Map<string, Map<number, string | null>>();

  async function run<D, V extends AnyVariables>(document: TypedDocumentNode<D, V>, variables: V): Promise<D> {
    return unwrap(await client.query(document, variables).toPromise());
  }

  async function mutate<D, V extends AnyVariables>(document: TypedDocumentNode<D, V>, variables: V): Promise<D> {
    return unwrap(await client.mutation(document, variables).toPromise());
  }

  /** The cursor to start page `page` after; undefined when the page lies past the end. */
  async function startCursor(
    resource: PagedName,
    signature: string,
    variables: AnyVariables,
    page: number,
    perPage: number,
  ): Promise<string | null | undefined> {
    if (page <= 1) return null;
    let known = cursorCache.get(signature);
    if (!known) cursorCache.set(signature, (known = new Map([[0, null]])));
    if (known.has(page - 1)) return known.get(page - 1);
    // Walk from the nearest page whose end we know, asking only for cursors.
    let from = 0;
    for (const index of known.keys()) if (index < page - 1 && index > from) from = index;
    let cursor = known.get(from) ?? null;
    let remaining = (page - 1 - from) * perPage;
    const definition = paged[resource] as PagedResource<AnyVariables, unknown>;
    while (remaining > 0) {
      const step = Math.min(MAX_PAGE, remaining);
      const connection = definition.connection(
        await run(definition.cursors, { ...(variables as object), first: step, after: cursor }),
      );
      if (!connection) return undefined;
      remaining -= step;
      // Nothing after these rows: the page asked for is empty.
      if (!connection.pageInfo.hasNextPage || !connection.pageInfo.endCursor) return undefined;
      cursor = connection.pageInfo.endCursor;
    }
    known.set(page - 1, cursor);
    return cursor;
  }

  async function listPaged(resource: PagedName, params: Partial<GetListParams>) {
    const { page = 1, perPage = 25 } = params.pagination ?? {};
    // Up to 1000 rows (react-admin's CSV export asks for that many), fetched 100 at a time.
    if (perPage > MAX_EXPORT) throw unsupported(`At most ${MAX_EXPORT} rows at once.`);
    const definition = paged[resource] as PagedResource<AnyVariables, any>;
    const variables = definition.variables(params.filter ?? {}, params.sort ?? { field: 'id', order: 'DESC' });
    const signature = JSON.stringify([resource, variables, perPage]);
    const after = await startCursor(resource, signature, variables, page, perPage);
    let connection: Connection<any> | null;
    if (after === undefined) {
      // Past the end: only the total is wanted.
      connection = definition.connection(await run(definition.list, { ...(variables as object), first: 1, after: null }));
      if (connection) connection = { ...connection, edges: [], pageInfo: { hasNextPage: false, endCursor: null } };
    } else {
      const edges: { node: any }[] = [];
      let cursor = after;
      do {
        const first = Math.min(MAX_PAGE, perPage - edges.length);
        connection = definition.connection(await run(definition.list, { ...(variables as object), first, after: cursor }));
        if (!connection) break;
        edges.push(...connection.edges);
        cursor = connection.pageInfo.endCursor ?? null;
      } while (edges.length < perPage && connection.pageInfo.hasNextPage && cursor);
      if (connection) connection = { ...connection, edges };
    }
    // Prompts and recordings are listed per project: no connection means no such project.
    const perProject = resource === 'prompts' || resource === 'recordings';
    if (!connection) throw notFound(perProject ? 'projects' : resource, String(params.filter?.projectId ?? ''));
    if (after !== undefined && connection.pageInfo.endCursor) {
      let known = cursorCache.get(signature);
      if (!known) cursorCache.set(signature, (known = new Map([[0, null]])));
      known.set(page, connection.pageInfo.endCursor);
    }
    return {
      data: connection.edges.map((edge) => toRecord(resource, edge.node)),
      total: connection.totalCount,
      pageInfo: { hasNextPage: connection.pageInfo.hasNextPage, hasPreviousPage: page > 1 },
    };
  }

  /** Lists the API returns whole (webhooks): filtered, sorted and paged here. */
  function listLocal(records: any[], params: Partial<GetListParams>) {
    const { page = 1, perPage = 25 } = params.pagination ?? {};
    const filter = params.filter ?? {};
    let rows = records.filter((record) =>
      Object.entries(filter).every(([key, value]) => {
        if (value === undefined || value === null || value === '') return true;
        if (key === 'q') return JSON.stringify(record).toLowerCase().includes(String(value).toLowerCase());
        const actual = key.split('.').reduce<any>((object, part) => object?.[part], record);
        if (typeof actual === 'boolean') return actual === bool(value);
        return String(actual) === String(value);
      }),
    );
    const sort = params.sort;
    if (sort?.field) {
      const direction = sort.order === 'ASC' ? 1 : -1;
      const get = (record: RaRecord) => sort.field.split('.').reduce<any>((object, part) => object?.[part], record);
      rows = [...rows].sort((a, b) => {
        const x = get(a);
        const y = get(b);
        if (x === y) return 0;
        if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1;
        return (x < y ? -1 : 1) * direction;
      });
    }
    return { data: rows.slice((page - 1) * perPage, page * perPage), total: rows.length };
  }

  /** The viewer's webhooks (and their projects'); with filter.allUsers or filter.ownerId, any user's. */
  async function webhooks(filter: Record<string, any> = {}): Promise<any[]> {
    const data = await run(ops.WebhooksQuery, {
      allUsers: bool(filter.allUsers) === true ? true : null,
      ownerId: text(filter.ownerId),
      enabled: bool(filter.enabled),
    });
    return data.webhooks.map((hook) => toRecord('webhooks', hook));
  }

  async function listWebhooks(params: Partial<GetListParams>) {
    const filter = params.filter ?? {};
    const local = Object.fromEntries(Object.entries(filter).filter(([key]) => !WEBHOOK_SERVER_FILTERS.includes(key)));
    return listLocal(await webhooks(filter), { ...params, filter: local });
  }

  async function getOne(resource: string, params: GetOneParams): Promise<{ data: RaRecord }> {
    const id = String(params.id);
    switch (resource) {
      case 'users': {
        const node = (await run(ops.UserQuery, { id })).node;
        if (!node || !('username' in node)) throw notFound(resource, id);
        return { data: toRecord(resource, node) };
      }
      case 'jobs':
      case 'myJobs': {
        const job = (await run(ops.JobQuery, { id })).job;
        if (!job) throw notFound(resource, id);
        return { data: toRecord(resource, job) };
      }
      case 'projects': {
        const project = (await run(ops.ProjectQuery, { id })).project;
        if (!project) throw notFound(resource, id);
        return { data: toRecord(resource, project) };
      }
      case 'audit': {
        const node = (await run(ops.AuditEntryQuery, { id })).node;
        if (!node || !('action' in node)) throw notFound(resource, id);
        return { data: toRecord(resource, node) };
      }
      case 'webhooks': {
        // Any user's, for an admin (the list may show every user's).
        const node = (await run(ops.WebhookQuery, { id })).node;
        if (!node || !('url' in node)) throw notFound(resource, id);
        return { data: toRecord(resource, node) };
      }
      default:
        throw unsupported(`The console cannot open single ${resource}.`);
    }
  }

  async function briefOne(resource: string, id: string): Promise<any> {
    switch (resource) {
      case 'users': {
        const node = (await run(ops.UserBriefQuery, { id })).node;
        return node && 'username' in node ? toRecord(resource, node) : null;
      }
      case 'jobs':
      case 'myJobs': {
        const job = (await run(ops.JobBriefQuery, { id })).job;
        return job ? toRecord(resource, job) : null;
      }
      default:
        try {
          return (await getOne(resource, { id })).data;
        } catch (error) {
          if (error instanceof ApiError && error.status === 404) return null;
          throw error;
        }
    }
  }

  const provider: ParlanceDataProvider = {
    client,

    async getList(resource: string, params: GetListParams) {
      if (isPaged(resource)) return listPaged(resource, params);
      if (resource === 'webhooks') return listWebhooks(params);
      throw unsupported(`The console cannot list ${resource}.`);
    },

    getOne: (resource: string, params: GetOneParams) => getOne(resource, params) as Promise<{ data: any }>,

    async getMany(resource: string, params: GetManyParams) {
      const ids = [...new Set(params.ids.map(String))];
      // Ids that are gone are left out, as react-admin expects.
      const records = await Promise.all(ids.map((id) => briefOne(resource, id)));
      return { data: records.filter((record) => record !== null) };
    },

    async getManyReference(resource: string, params: GetManyReferenceParams) {
      const filter = { ...params.filter, [params.target]: params.id };
      const list = { pagination: params.pagination, sort: params.sort, filter };
      if (isPaged(resource)) return listPaged(resource, list);
      if (resource === 'webhooks') return listWebhooks(list);
      throw unsupported(`The console cannot list ${resource} by ${params.target}.`);
    },

    async update(resource: string, params: UpdateParams) {
      const id = String(params.id);
      const data = params.data as Record<string, any>;
      const previous = (params.previousData ?? {}) as Record<string, any>;
      const changed = (field: string) => field in data && data[field] !== previous[field];
      switch (resource) {
        case 'users': {
          if (changed('role')) {
            const role = oneOf(data.role, ROLES);
            if (!role) throw unsupported('Role must be USER or ADMIN.');
            await mutate(ops.SetUserRoleMutation, { userId: id, role });
          }
          if (changed('isActive')) await mutate(ops.SetUserActiveMutation, { userId: id, active: Boolean(data.isActive) });
          const quota = 'monthlyAudioMinutes' in data ? data.monthlyAudioMinutes : undefined;
          if (quota !== undefined && quota !== (previous.monthlyAudioMinutes ?? previous.quota?.monthlyAudioMinutes ?? null)) {
            const minutes = quota === null || quota === '' ? null : Number(quota);
            if (minutes !== null && (!Number.isInteger(minutes) || minutes < 0)) {
              throw unsupported('The monthly quota must be a whole number of minutes, or empty for none.');
            }
            await mutate(ops.SetUserQuotaMutation, { userId: id, monthlyAudioMinutes: minutes });
          }
          return getOne(resource, { id }) as Promise<{ data: any }>;
        }
        case 'projects': {
          const input: { name?: string; description?: string | null } = {};
          if (changed('name')) input.name = String(data.name ?? '');
          if (changed('description')) input.description = text(data.description);
          if (Object.keys(input).length > 0) await mutate(ops.UpdateProjectMutation, { id, input });
          return getOne(resource, { id }) as Promise<{ data: any }>;
        }
        case 'webhooks': {
          if (data.enabled === true && previous.enabled === false) await mutate(ops.EnableWebhookMutation, { id });
          else if (data.enabled === false && previous.enabled !== false) {
            throw unsupported('Webhooks cannot be disabled by hand; delete the webhook instead.');
          }
          return getOne(resource, { id }) as Promise<{ data: any }>;
        }
        default:
          throw unsupported(`${resource} cannot be edited in the console.`);
      }
    },

    async updateMany(resource: string, params: UpdateManyParams) {
      const done: Identifier[] = [];
      for (const id of params.ids) {
        const previous = (await getOne(resource, { id })).data;
        await provider.update(resource, { id, data: params.data, previousData: previous });
        done.push(id);
      }
      return { data: done };
    },

    async create(resource: string, _params: CreateParams): Promise<never> {
      throw unsupported(`${resource} cannot be created from the console.`);
    },

    async delete(resource: string, params: DeleteParams) {
      const id = String(params.id);
      const previous = (params.previousData ?? { id }) as RaRecord;
      switch (resource) {
        case 'jobs':
        case 'myJobs':
          await mutate(ops.DeleteJobMutation, { id });
          break;
        case 'webhooks':
          await mutate(ops.DeleteWebhookMutation, { id });
          break;
        case 'projects': {
          const confirmName = (params.meta?.confirmName as string | undefined) ?? (previous as { name?: string }).name ?? null;
          await mutate(ops.DeleteProjectMutation, { id, confirmName });
          break;
        }
        case 'users':
          throw unsupported('Users cannot be deleted; deactivate them instead.');
        default:
          throw unsupported(`${resource} cannot be deleted from the console.`);
      }
      forget(resource);
      return { data: previous as any };
    },

    async deleteMany(resource: string, params: DeleteManyParams) {
      const done: Identifier[] = [];
      for (const id of params.ids) {
        await provider.delete(resource, { id });
        done.push(id);
      }
      return { data: done };
    },

    async cancelJob(id: Identifier) {
      await mutate(ops.CancelJobMutation, { id: String(id) });
      return getOne('jobs', { id });
    },

    async retryJob(id: Identifier) {
      await mutate(ops.RetryJobMutation, { id: String(id) });
      return getOne('jobs', { id });
    },

    async usage({ from, to, groupBy }) {
      const data = await run(ops.AdminUsageQuery, { from: from ?? null, to: to ?? null, groupBy });
      return data.adminUsage;
    },

    async jobStats(params = {}) {
      const data = await run(ops.JobStatsQuery, { from: params.from ?? null, to: params.to ?? null });
      return data.adminJobStats;
    },

    async reviewRecording(id: Identifier, status: ReviewDecision, note?: string | null) {
      const data = await mutate(ops.ReviewRecordingMutation, { id: String(id), status, note: text(note) });
      // The recording moves between the queue's filters: the remembered cursors no longer hold.
      forget('recordings');
      return { data: data.reviewRecording };
    },

    async exportDataset(projectId: Identifier) {
      const data = await mutate(ops.ExportDatasetMutation, { projectId: String(projectId) });
      return data.exportDataset;
    },

    async projectExports(projectId: Identifier) {
      const project = (await run(ops.ProjectExportsQuery, { id: String(projectId) })).project;
      if (!project) throw notFound('projects', projectId);
      return project.exports;
    },
  };

  /** Cursors of a resource's lists go stale when rows disappear. */
  function forget(resource: string) {
    for (const key of cursorCache.keys()) if (key.startsWith(`["${resource}"`)) cursorCache.delete(key);
  }

  return provider;
}
