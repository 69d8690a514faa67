'use strict';
/*
 * node-postgres driver harness for riffq's extended-protocol tests.
 *
 *   node harness.js CONNECTION_URL TAG [CASE...]
 *
 * Runs scripted cases (all when none is named), each on a fresh Client, and
 * prints one JSON object per line for every step: a result (command,
 * rowCount, fields with their type OIDs, rows as objects with every value
 * tagged by its JavaScript type, as pg's default type parsers produced it)
 * or an error (code, severity, message). tests/test_drivers.py runs the same
 * cases against riffq and against PostgreSQL 15 and compares the lines.
 * Parameters go as pg sends them: text format with unspecified types, except
 * Buffers (binary). Run with TZ=UTC so Dates print the same everywhere.
 */
const { Client } = require('pg');

const [url, tag = 'x', ...only] = process.argv.slice(2);
if (!url) {
  console.error('usage: node harness.js CONNECTION_URL TAG [CASE...]');
  process.exit(2);
}

/** A value as [type, text]: distinguishes 1 from '1' and Dates from strings. */
function tagged(v) {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return ['Date', isNaN(v.getTime()) ? 'Invalid' : v.toISOString()];
  if (Buffer.isBuffer(v)) return ['Buffer', '\\x' + v.toString('hex')];
  if (Array.isArray(v)) return ['Array', v.map(tagged)];
  if (typeof v === 'object') return ['object', JSON.stringify(v)];
  return [typeof v, String(v)];
}

function resultLine(r) {
  return {
    command: r.command,
    rowCount: r.rowCount,
    fields: r.fields.map((f) => [f.name, f.dataTypeID]),
    rows: r.rows.map((row) => Object.entries(row).map(([k, v]) => [k, tagged(v)])),
  };
}

/** Runs one step; an error becomes a line and the case goes on. */
async function step(out, fn) {
  out.step += 1;
  try {
    const r = await fn();
    if (r !== undefined) out.emit(resultLine(r));
  } catch (e) {
    out.emit({ error: { code: e.code || null, severity: e.severity || null, message: e.message } });
  }
}

const ECHO = '/*echo*/';
const TS = new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 678));

const CASES = {
  async simple_query(c, out) {
    await step(out, () => c.query("select 1::int4 as i4, 2::int8 as i8, 1.5::float8 as f8, "
      + "'txt'::text as t, true as b, null::int4 as n"));
    await step(out, () => c.query('select i::int4 as i from generate_series(1, 3) as g(i) order by i'));
  },

  async params_scalars(c, out) {
    const sql = 'select $1::int4 as i, $2::int8 as l, $3::float8 as f, $4::text as t, '
      + '$5::bool as b, $6::int4 as n';
    await step(out, () => c.query(sql, [42, '9007199254740993', 1.5, 'héllo € 😀', true, null]));
    await step(out, () => c.query(sql, [-7, -1, -0.25, '', false, null]));
    await step(out, () => c.query(sql, ['2147483647', '9223372036854775807', 'NaN', "it's", 'f', null]));
  },

  async params_untyped(c, out) {
    // No cast on the parameter: PostgreSQL resolves it from its context.
    await step(out, () => c.query('select $1::text || $2::text as s', ['a', 'b']));
  },

  async params_temporal(c, out) {
    await step(out, () => c.query(
      'select $1::date as d, $2::timestamp as ts, $3::timestamptz as tstz, $4::date + 1 as d1',
      ['2024-02-29', '2024-01-02 03:04:05.678', TS, '2024-12-31']));
  },

  async params_numeric_uuid_json(c, out) {
    await step(out, () => c.query(
      'select $1::numeric(10,3) as n, $2::uuid as u, $3::json as j',
      ['12.340', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": [1, 2], "b": null}']));
  },

  async params_bytea(c, out) {
    // pg sends a Buffer in binary format (with an unspecified type).
    await step(out, () => c.query('select $1::bytea as by', [Buffer.from([0, 255, 97, 98])]));
  },

  async params_array(c, out) {
    // pg sends a JS array as a text-format array literal: {"1","2","3"}.
    await step(out, () => c.query('select $1::int4[] as a', [[1, 2, 3]]));
  },

  async result_types(c, out) {
    await step(out, () => c.query(
      "select 12.340::numeric(10,3) as n, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid as u, "
      + "date '2024-02-29' as d, timestamp '2024-01-02 03:04:05.678' as ts, "
      + "'ab'::bytea as by, array[1, 2, 3]::int4[] as a, array['x', null, 'z']::text[] as ta"));
  },

  async named_statement(c, out) {
    for (let k = 1; k <= 5; k++) {
      await step(out, () => c.query({
        name: 'drv_named_' + tag, text: 'select $1::int4 * 2 as v, $2::text as t', values: [k, 'k' + k],
      }));
    }
  },

  async insert_once(c, out) {
    const table = 'drv_node_' + tag;
    await step(out, () => c.query(`create table ${table} (id int8, name text)`));
    await step(out, () => c.query(`insert into ${table} (id, name) values ($1, $2)`, [1, 'node once']));
    await step(out, () => c.query(`update ${table} set name = name || $1 where id >= $2`, ['!', 1]));
    await step(out, () => c.query(`select id, name from ${table} order by id`));
    await step(out, () => c.query(`drop table ${table}`));
  },

  async errors(c, out) {
    await step(out, () => c.query('select * from drv_missing_' + tag));
    await step(out, () => c.query('selec 1'));
    await step(out, () => c.query('select $1::int4 as v', ['not a number']));
    await step(out, () => c.query('select $1::int4 as v', [1, 2]));
    await step(out, () => c.query('select 1::int4 as still_ok'));
  },

  // riffq only: the test server answers statements marked /*echo*/ with
  // the parameters its handler received (Python types and reprs), one
  // parameter per step so each can be judged on its own.
  async echo_params(c, out) {
    const items = [
      ['int4', '$1::int4', 42],
      ['int8', '$1::int8', '9007199254740993'],
      ['float8', '$1::float8', 1.5],
      ['text', '$1::text', 'héllo € 😀'],
      ['bool', '$1::bool', true],
      ['null', '$1::int4', null],
      ['untyped', '$1', 'untyped'],
      ['json', '$1::json', '{"a": 1}'],
      ['date', '$1::date', '2024-02-29'],
      ['timestamp', '$1::timestamp', '2024-01-02 03:04:05.678'],
      ['timestamptz', '$1::timestamptz', TS],
      ['numeric', '$1::numeric', '12.340'],
      ['uuid', '$1::uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'],
      ['int4_array', '$1::int4[]', [1, 2, 3]],
      ['bytea', '$1::bytea', Buffer.from([0, 255, 97])],
    ];
    for (const [label, expr, value] of items) {
      out.label = label;
      await step(out, async () => {
        const r = await c.query(`select ${ECHO} ${expr}`, [value]);
        out.emit({ args: r.rows[0].args, types: r.rows[0].types });
      });
    }
    out.label = undefined;
  },
};

async function main() {
  const names = only.length ? only : Object.keys(CASES);
  for (const name of names) {
    const out = {
      step: 0,
      emit(body) {
        const label = this.label === undefined ? {} : { label: this.label };
        process.stdout.write(JSON.stringify({ case: name, step: this.step, ...label, ...body }) + '\n');
      },
    };
    const fn = CASES[name];
    if (!fn) {
      out.emit({ fatal: 'unknown case' });
      continue;
    }
    const c = new Client({ connectionString: url, connectionTimeoutMillis: 10000 });
    c.on('error', (e) => out.emit({ fatal: 'client error: ' + e.message }));
    try {
      await c.connect();
      await fn(c, out);
    } catch (e) {
      out.emit({ fatal: String(e && e.message) });
    } finally {
      await c.end().catch(() => {});
    }
    out.emit({ done: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
