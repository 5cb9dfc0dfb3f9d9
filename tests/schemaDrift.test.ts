// schema.prisma is written by hand to match the SQL migrations (Prisma Migrate cannot run here).
// This test compares the migrated database with Prisma's datamodel so the two cannot drift:
// every model and column, type, nullability, list-ness, primary key, unique index and relation.
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDatamodel } from '../prisma/generated/pothos-types.ts';
import { createTestDatabase } from './helpers/testApp.ts';

interface Column {
  table_name: string;
  column_name: string;
  is_nullable: 'YES' | 'NO';
  data_type: string;
  udt_name: string;
}

const prismaSchema = readFileSync(new URL('../prisma/schema.prisma', import.meta.url), 'utf8');
const datamodel = getDatamodel().datamodel;

/** Database names from @@map / @map, read from the schema file itself. */
function mappedName(block: 'model' | 'enum', name: string): string {
  const body = new RegExp(`${block} ${name} \\{([\\s\\S]*?)\\n\\}`).exec(prismaSchema)?.[1] ?? '';
  return /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? name;
}
function columnName(model: string, field: string): string {
  const body = new RegExp(`model ${model} \\{([\\s\\S]*?)\\n\\}`).exec(prismaSchema)?.[1] ?? '';
  const line = body.split('\n').find((l) => l.trim().split(/\s+/)[0] === field) ?? '';
  return /@map\("([^"]+)"\)/.exec(line)?.[1] ?? field;
}

const scalarTypes: Record<string, { data_type: string; udt_name: string }> = {
  String: { data_type: 'text', udt_name: 'text' },
  Int: { data_type: 'integer', udt_name: 'int4' },
  BigInt: { data_type: 'bigint', udt_name: 'int8' },
  Float: { data_type: 'double precision', udt_name: 'float8' },
  Boolean: { data_type: 'boolean', udt_name: 'bool' },
  DateTime: { data_type: 'timestamp with time zone', udt_name: 'timestamptz' },
  Json: { data_type: 'jsonb', udt_name: 'jsonb' },
  Bytes: { data_type: 'bytea', udt_name: 'bytea' },
};

let client: pg.Client;
let columns: Column[];

beforeAll(async () => {
  client = new pg.Client({ connectionString: await createTestDatabase() });
  await client.connect();
  columns = (
    await client.query<Column>(
      `SELECT table_name, column_name, is_nullable, data_type, udt_name
       FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`,
    )
  ).rows;
});
afterAll(async () => {
  await client.end();
});

async function indexColumns(table: string, kind: 'primary' | 'unique'): Promise<string[][]> {
  const { rows } = await client.query<{ cols: string[] }>(
    `SELECT array_agg(a.attname ORDER BY k.ord)::text[] AS cols
     FROM pg_index i
     JOIN pg_class t ON t.oid = i.indrelid
     JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
     CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
     WHERE t.relname = $1 AND ${kind === 'primary' ? 'i.indisprimary' : 'i.indisunique AND NOT i.indisprimary'}
     GROUP BY i.indexrelid`,
    [table],
  );
  return rows.map((row) => row.cols);
}

describe('schema.prisma agrees with the migrated database', () => {
  it('has a model for every table and a table for every model', () => {
    const tables = new Set(columns.map((c) => c.table_name));
    const modelTables = new Set(Object.keys(datamodel.models).map((m) => mappedName('model', m)));
    expect([...modelTables].sort()).toEqual([...tables].sort());
  });

  for (const [modelName, model] of Object.entries(datamodel.models)) {
    it(`${modelName}: columns, types, nullability, keys and relations match`, async () => {
      const table = mappedName('model', modelName);
      const actual = columns.filter((c) => c.table_name === table);
      const scalarFields = model.fields.filter((f) => f.kind !== 'object');
      expect(actual.map((c) => c.column_name).sort()).toEqual(
        scalarFields.map((f) => columnName(modelName, f.name)).sort(),
      );
      for (const field of scalarFields) {
        const column = actual.find((c) => c.column_name === columnName(modelName, field.name))!;
        const where = `${table}.${column.column_name}`;
        expect(column.is_nullable, `${where} nullability`).toBe(field.isRequired || field.isList ? 'NO' : 'YES');
        const expectedUdt =
          field.kind === 'enum' ? mappedName('enum', field.type) : scalarTypes[field.type]?.udt_name;
        expect(expectedUdt, `${where}: no mapping for ${field.type}`).toBeDefined();
        if (field.isList) {
          expect(column.data_type, `${where} list`).toBe('ARRAY');
          expect(column.udt_name, `${where} type`).toBe(`_${expectedUdt}`);
        } else {
          expect(column.udt_name, `${where} type`).toBe(expectedUdt);
        }
      }

      const idFields = model.primaryKey?.fields ?? model.fields.filter((f) => f.isId).map((f) => f.name);
      expect(await indexColumns(table, 'primary')).toEqual([idFields.map((f) => columnName(modelName, f))]);

      const uniques = [
        ...model.fields.filter((f) => f.isUnique).map((f) => [f.name]),
        ...model.uniqueIndexes.map((u) => u.fields),
      ].map((fields) => fields.map((f) => columnName(modelName, f)).join(','));
      const dbUniques = (await indexColumns(table, 'unique')).map((cols) => cols.join(','));
      expect(dbUniques.sort()).toEqual(uniques.sort());

      for (const relation of model.fields.filter((f) => f.kind === 'object' && f.relationFromFields?.length)) {
        const { rows } = await client.query<{ cols: string[]; target: string }>(
          `SELECT array_agg(a.attname ORDER BY k.ord)::text[] AS cols, ft.relname AS target
           FROM pg_constraint c
           JOIN pg_class t ON t.oid = c.conrelid
           JOIN pg_class ft ON ft.oid = c.confrelid
           CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
           JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
           WHERE c.contype = 'f' AND t.relname = $1
           GROUP BY c.oid, ft.relname`,
          [table],
        );
        const from = relation.relationFromFields!.map((f) => columnName(modelName, f));
        expect(rows, `${table} foreign key for ${relation.name}`).toContainEqual({
          cols: from,
          target: mappedName('model', relation.type),
        });
      }
    });
  }
});
