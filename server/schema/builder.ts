import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin, { type AuthFailure, type ReplaceContext } from '@pothos/plugin-scope-auth';
import type PrismaTypes from '../../prisma/generated/pothos-types.ts';
import { getDatamodel } from '../../prisma/generated/pothos-types.ts';
import type { Context, SignedInContext } from '../context.ts';
import { AppError } from '../errors.ts';
import type { UploadedFile } from '../services/jobs.ts';
import { typeOfId } from '../ids.ts';
import { canSeeNode } from '../services/access/nodes.ts';

interface AuthScopes {
  /** Any signed-in caller. */
  authenticated: boolean;
  /** A caller allowed to change things (not a READ-only API key). */
  write: boolean;
  /** An admin acting with admin power. */
  admin: boolean;
  /**
   * A streaming token's bearer (README, "Streaming tokens for browsers"): passes only the fields that
   * name this scope, never `authenticated`, `write` or `admin`.
   */
  liveStream: boolean;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: AuthScopes;
  // Every scope needs a viewer: a field built with `t.withAuth({ ... })` gets a context whose viewer is set.
  AuthContexts: { authenticated: SignedInContext; write: SignedInContext; admin: SignedInContext; liveStream: SignedInContext };
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    File: { Input: UploadedFile; Output: never };
    ID: { Input: string; Output: string };
  };
}>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin, PrismaPlugin, RelayPlugin],
  prisma: {
    client: (context) => context.deps.db,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  scopeAuth: {
    authScopes: (context) => {
      const fullViewer = context.viewer && !context.viewer.streamingSessionId ? context.viewer : null;
      return {
        authenticated: fullViewer !== null,
        write: fullViewer?.canWrite ?? false,
        admin: fullViewer?.isAdmin ?? false,
        liveStream: Boolean(context.viewer?.streamingSessionId),
      };
    },
    authorizeOnSubscribe: true,
    unauthorizedError: (_parent, context, _info, result) => {
      if (!context.viewer) return new AppError('UNAUTHENTICATED', 'Authentication required.');
      if (context.viewer.adminRefusal && failsAdminScope(result.failure)) return new AppError('FORBIDDEN', context.viewer.adminRefusal);
      return new AppError('FORBIDDEN', result.message || 'Not allowed.');
    },
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    nodesQueryOptions: false,
    nodeQueryOptions: {
      resolve: async (_root, { id }, context, _info, resolveNode) =>
        (await canSeeNode(context.deps.db, context.viewer, id.typename, id.id)) ? resolveNode(id) : null,
    },
    // Our ids already name their type ("usr_…"), so the global id is the row id itself.
    encodeGlobalID: (_typename, id) => String(id),
    decodeGlobalID: (globalID) => ({ typename: typeOfId(globalID) ?? 'Unknown', id: globalID }),
  },
});

/** Whether a scope-auth failure includes the `admin` scope (to say why an ADMIN's power is withheld). */
function failsAdminScope(failure: AuthFailure): boolean {
  if ('failures' in failure) return failure.failures.some(failsAdminScope);
  return 'scope' in failure && failure.scope === 'admin';
}

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;

/**
 * The same builder, typed as fields behind a scope see it (their context has a viewer). Only for
 * the rare ref that such fields share and must therefore be built with their context type, such
 * as a connection object reused by several scoped fields.
 */
export const signedInBuilder = builder as unknown as PothosSchemaTypes.SchemaBuilder<ReplaceContext<BuilderTypes, SignedInContext>>;
