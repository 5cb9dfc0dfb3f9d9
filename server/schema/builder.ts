import SchemaBuilder from '@pothos/core';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import type PrismaTypes from '../../prisma/generated/pothos-types.ts';
import { getDatamodel } from '../../prisma/generated/pothos-types.ts';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import type { UploadedFile } from '../services/jobs.ts';
import { typeOfId } from '../ids.ts';
import { canSeeNode } from './nodeVisibility.ts';

export interface AuthScopes {
  /** Any signed-in caller. */
  authenticated: boolean;
  /** A caller allowed to change things (not a READ-only API key). */
  write: boolean;
  /** An admin acting with admin power. */
  admin: boolean;
}

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: AuthScopes;
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
    authScopes: (context) => ({
      authenticated: context.viewer !== null,
      write: context.viewer?.canWrite ?? false,
      admin: context.viewer?.isAdmin ?? false,
    }),
    authorizeOnSubscribe: true,
    unauthorizedError: (_parent, context, _info, result) => {
      if (!context.viewer) return new AppError('UNAUTHENTICATED', 'Authentication required.');
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
        (await canSeeNode(context, id.typename, id.id)) ? resolveNode(id) : null,
    },
    // Our ids already name their type ("usr_…"), so the global id is the row id itself.
    encodeGlobalID: (_typename, id) => String(id),
    decodeGlobalID: (globalID) => ({ typename: typeOfId(globalID) ?? 'Unknown', id: globalID }),
  },
});
