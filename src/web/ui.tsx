/** Small shared pieces: data loading hook, health badge, figure card, error and loading boxes, links. */
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api";
import { STATE_LABEL } from "./format";

export interface Async<T> {
  readonly data: T | undefined;
  readonly error: Error | undefined;
  readonly loading: boolean;
  reload(): void;
}

/** Run `load` when `deps` change (and on reload()); keeps the last data while reloading, so live updates never flash. */
export function useAsync<T>(load: () => Promise<T>, deps: readonly unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  useEffect(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === seq.current && setState({ data, loading: false }),
      (error: Error) => mine === seq.current && setState((s) => ({ ...s, error, loading: false })),
    );
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.data === undefined ? state.error : undefined, loading: state.loading, reload };
}

export function HealthBadge({ state, testId }: { state: string; testId?: string }) {
  return (
    <span class={`badge h-${state}`} data-state={state} data-testid={testId}>
      {STATE_LABEL[state] ?? state}
    </span>
  );
}

export function Card({ label, value, sub, testId, raw }: { label: string; value: string; sub?: ComponentChildren; testId?: string; raw?: number | null }) {
  return (
    <div class="card">
      <div class="card-label">{label}</div>
      <div class="card-value" data-testid={testId} data-value={raw ?? undefined}>
        {value}
      </div>
      {sub !== undefined && <div class="card-sub">{sub}</div>}
    </div>
  );
}

export function ErrorBox({ error, what }: { error: Error; what?: string }) {
  const e = error instanceof ApiError ? error : null;
  return (
    <div class="error" role="alert">
      {what !== undefined && <strong>{what}: </strong>}
      {e !== null && e.status === 403 ? "this key's role may not see this (403 forbidden)" : error.message}
      {e !== null && <span class="muted"> ({e.code})</span>}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <div class="loading" aria-busy="true">
      loading {what}…
    </div>
  );
}

export function Section({ title, id, children, actions }: { title: string; id?: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="panel" id={id} aria-labelledby={id !== undefined ? `${id}-h` : undefined}>
      <div class="panel-head">
        <h2 id={id !== undefined ? `${id}-h` : undefined}>{title}</h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

export const accountHref = (id: string): string => `#/account/${encodeURIComponent(id)}`;

export function AccountLink({ id }: { id: string }) {
  return <a href={accountHref(id)}>{id}</a>;
}

/** A segmented toggle (radio buttons, keyboard navigable). */
export function Toggle<T extends string>({ value, options, onChange, label }: { value: T; options: readonly { value: T; label: string }[]; onChange: (v: T) => void; label: string }) {
  return (
    <div class="toggle" role="radiogroup" aria-label={label}>
      {options.map((o) => (
        <label key={o.value} class={o.value === value ? "on" : ""}>
          <input type="radio" name={label} value={o.value} checked={o.value === value} onChange={() => onChange(o.value)} />
          {o.label}
        </label>
      ))}
    </div>
  );
}
