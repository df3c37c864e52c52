import type { Compilable, CompiledQuery, Kysely } from 'kysely';

/** Runs a compiled query straight on the driver and returns its rows. */
export type DirectRunner = (sql: string, parameters: readonly unknown[]) => Promise<unknown[]>;

const directRunners = new WeakMap<Kysely<any>, DirectRunner>();

/**
 * Lets the compiled queries of `db` itself (not those of its transactions, which must stay on their connection)
 * skip Kysely's executor: on PostgreSQL that is the connection acquired, wrapped and released per query, a
 * fifth of an uncached one-row read's CPU. Nothing of Kysely's result shaping is lost: the instance has no plugins.
 */
export function runDirectly(db: Kysely<any>, run: DirectRunner): void {
  directRunners.set(db, run);
}

/** Stands for the `index`-th argument while a query is built once (never sent to the database). */
class Argument {
  readonly index: number;
  constructor(index: number) {
    this.index = index;
  }
}

/**
 * A query built and compiled by Kysely once, then run with new arguments: the hot single-row reads
 * (subject/get, board/read, a signed-in caller's account) skip building and compiling the query tree on
 * every request. `build` must produce the same SQL whatever the arguments (no arrays, no conditional parts);
 * each argument may be used once or more, and constants stay as Kysely compiled them.
 */
export function compiledQuery<DB, Args extends unknown[], Row>(
  db: Kysely<DB>,
  arity: Args['length'],
  build: (...args: Args) => Compilable<Row>,
): (...args: Args) => Promise<Row[]> {
  let compiled: CompiledQuery<Row> | undefined;
  let slots: number[] = [];
  let direct: DirectRunner | undefined;
  // Compiled on first use: repositories bound to a transaction are made per transaction and use few queries.
  const compile = (): CompiledQuery<Row> => {
    const placeholders = Array.from({ length: arity }, (_, index) => new Argument(index)) as unknown as Args;
    const query = build(...placeholders).compile();
    slots = query.parameters.map((parameter) => (parameter instanceof Argument ? parameter.index : -1));
    for (let index = 0; index < arity; index++) {
      if (!slots.includes(index)) throw new Error(`compiledQuery: argument ${index} is not a parameter of ${query.sql}`);
    }
    direct = directRunners.get(db);
    return query;
  };
  return async (...args) => {
    compiled ??= compile();
    const parameters = compiled.parameters.map((parameter, position) => (slots[position]! >= 0 ? args[slots[position]!] : parameter));
    if (direct) return (await direct(compiled.sql, parameters)) as Row[];
    const result = await db.executeQuery<Row>({ ...compiled, parameters });
    return result.rows;
  };
}
