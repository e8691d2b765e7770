/**
 * The little an SQL store needs from a database client: parameterised queries and transactions. Two drivers
 * implement it (pglite.ts, postgres.ts); everything above is written once.
 * @module
 */

/** Run one statement with `$1`-style parameters; rows as plain objects. */
export interface SqlRunner {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<T[]>;
  /** Run a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface SqlDriver extends SqlRunner {
  readonly backend: "pglite" | "postgres";
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (sql: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
