/**
 * The little an SQL store needs from a database client: parameterised queries and transactions. Two drivers
 * implement it (pglite.ts, postgres.ts); everything above is written once.
 * @module
 */

/** Options of one statement. */
export interface QueryOptions {
  /**
   * A statement run again and again (a hot path: the cluster's checkpoint write per input): the server parses and
   * plans it once per connection (a named prepared statement on PostgreSQL), not on every run. Drivers without
   * connections of their own (PGlite) ignore it.
   */
  readonly prepared?: boolean;
}

/** Run one statement with `$1`-style parameters; rows as plain objects. */
export interface SqlRunner {
  query<T = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
  /** Run a script of several statements without parameters (migrations). */
  exec(script: string): Promise<void>;
  /**
   * Append rows to `table` from CSV text (`COPY ... FROM ... WITH (FORMAT csv)`: an unquoted empty field is NULL),
   * where the driver can take the text in process (PGlite); callers fall back to INSERT without it. `table` and
   * `columns` are the code's own names, never input.
   */
  copyCsv?(table: string, columns: readonly string[], csv: string): Promise<void>;
}

export interface SqlDriver extends SqlRunner {
  readonly backend: "pglite" | "postgres";
  /** Run `fn` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (sql: SqlRunner) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
