/**
 * Versioned parameter sets: `PUT /v1/parameter-sets/{name}/{version}` (admin; a version is immutable from its
 * effective day), `GET /v1/parameter-sets`, `GET /v1/parameter-sets/{name}/{version}`, and the change-impact preview
 * `POST /v1/parameter-sets/{name}/preview` (admin, risk). Accounts follow the version in force of their set unless
 * pinned (`parameterSetVersion` in the account file).
 * @module
 */
import { createMarginEngine } from "../../account/engine.js";
import type { MarginEngine } from "../../account/engine.js";
import { applyMergePatch } from "../../account/merge-patch.js";
import { previewParameterChange } from "../../account/preview.js";
import type { PreviewFigures } from "../../account/preview.js";
import type { Result } from "../../errors.js";
import type { Account } from "../../account/account.js";
import { loadPreset } from "../../io/presets.js";
import { createModel, DEFAULT_PRESETS } from "../../models/registry.js";
import type { MarginModel } from "../../models/types.js";
import type { StoredAccount, StoredParameterSet } from "../../store/port.js";
import { dayOf } from "../book.js";
import { HttpError, httpFail, route } from "../http.js";
import type { AnyRoute } from "../http.js";
import type { ServiceDeps } from "../deps.js";
import { writeContext } from "../deps.js";
import { parameterSetBodySchema, previewBodySchema } from "../schemas.js";

const versionRe = /^[A-Za-z0-9._-]{1,64}$/;

/** Build the model of a parameter set document, or a 400 with the issues under `prefix`. */
export function modelOf(modelId: string, document: unknown, prefix: string): MarginModel {
  const m = createModel(modelId, { parameterSet: document });
  if (!m.ok) throw new HttpError(m.issues.map((i) => ({ ...i, path: i.path === "" ? prefix : `${prefix}.${i.path}` })));
  return m.value;
}

/** A bundled preset's version, effective date and document (null when it has none: not a versioned set). */
function bundledPreset(name: string): { version: string; effective: string; document: Record<string, unknown> } | null {
  const p = loadPreset(name);
  if (!p.ok || p.value === null || typeof p.value !== "object") return null;
  const d = p.value as Record<string, unknown>;
  return typeof d.version === "string" ? { version: d.version, effective: typeof d.effective === "string" ? d.effective : "", document: d } : null;
}

export function parameterSetRoutes(deps: ServiceDeps): AnyRoute[] {
  async function allAccounts(): Promise<StoredAccount[]> {
    const out: StoredAccount[] = [];
    let after: string | null = null;
    for (;;) {
      const page = await deps.store.listAccounts({ afterId: after, limit: 1000 });
      out.push(...page);
      if (page.length < 1000) return out;
      after = page[page.length - 1]?.id ?? null;
    }
  }

  return [
    route({
      method: "PUT",
      path: "/v1/parameter-sets/{name}/{version}",
      tag: "parameter sets",
      summary: "Store a parameter-set version with its effective date (immutable once effective)",
      access: [],
      body: parameterSetBodySchema,
      response: { status: 201, description: "the stored version (200 when a version not yet effective was replaced)" },
      async handler(ctx) {
        const { name, version } = ctx.params as { name: string; version: string };
        if (!versionRe.test(name)) httpFail("invalid_value", "name", "a set name is 1-64 of A-Z a-z 0-9 . _ -");
        if (!versionRe.test(version)) httpFail("invalid_value", "version", "a version is 1-64 of A-Z a-z 0-9 . _ -");
        const p = ctx.body.parameters as Record<string, unknown>;
        for (const [field, want] of [["name", name], ["version", version]] as const) {
          if (p[field] !== undefined && p[field] !== want) httpFail("invalid_value", `body.parameters.${field}`, `the set says ${field} ${JSON.stringify(p[field])}; the URL says ${JSON.stringify(want)}`);
        }
        const document = { ...p, name, version, effective: ctx.body.effective };
        const modelId = ctx.body.model ?? "deribit";
        modelOf(modelId, document, "body.parameters");
        const r = await deps.store.putParameterSet({ name, version, effective: ctx.body.effective, model: modelId, document }, dayOf(deps.clock.nowMs()), writeContext(deps, ctx));
        if (!r.ok) httpFail("version_conflict", "version", `${name} ${version} has been in force since ${r.set.effective}: a version never changes once effective (store a new version)`);
        const set = (r as { set: StoredParameterSet; created: boolean }).set;
        deps.book.parameterSetsChanged();
        // Bindings follow the version in force: bind every account again in the background, as after a start (the
        // preview answers 503 + Retry-After until that is done).
        void deps.book.rewarm();
        deps.events.publish({ type: "parameter_set.updated", name, version, effective: set.effective });
        await deps.live?.parametersChanged(writeContext(deps, ctx));
        return { status: (r as { created: boolean }).created ? 201 : 200, body: set };
      },
    }),
    route({
      method: "GET",
      path: "/v1/parameter-sets",
      tag: "parameter sets",
      summary: "Every stored version (name, version, effective date, model), with the version in force today",
      access: ["risk", "trader", "feed"],
      response: { status: 200, description: "{ sets: [...], bundled: [{ name, version, effective, model, inForce }], today }" },
      async handler() {
        const today = dayOf(deps.clock.nowMs());
        const sets = await deps.store.listParameterSets();
        const inForce = new Map<string, string>();
        for (const s of sets) if (s.effective <= today) inForce.set(s.name, s.version);
        // The bundled presets: in force for a set with no stored version in force (book.ts resolver), readable below.
        const bundled = Object.entries(DEFAULT_PRESETS).flatMap(([model, name]) => {
          const p = bundledPreset(name);
          return p === null ? [] : [{ name, version: p.version, effective: p.effective, model, inForce: !inForce.has(name) }];
        });
        return { status: 200, body: { today, sets: sets.map((s) => ({ name: s.name, version: s.version, effective: s.effective, model: s.model, createdAt: s.createdAt, createdBy: s.createdBy, inForce: inForce.get(s.name) === s.version })), bundled } };
      },
    }),
    route({
      method: "GET",
      path: "/v1/parameter-sets/{name}/{version}",
      tag: "parameter sets",
      summary: "One stored version with its parameters (or the bundled preset of that name and version, marked bundled)",
      access: ["risk", "trader", "feed"],
      response: { status: 200, description: "the stored version, or { name, version, effective, model, document, bundled: true }" },
      async handler(ctx) {
        const name = ctx.params.name as string;
        const version = ctx.params.version as string;
        const s = await deps.store.getParameterSet(name, version);
        if (s !== null) return { status: 200, body: s };
        const model = Object.entries(DEFAULT_PRESETS).find(([, n]) => n === name)?.[0];
        const p = model === undefined ? null : bundledPreset(name);
        if (p === null || p.version !== version) return httpFail("not_found", "version", `no parameter set ${name} ${version}`);
        return { status: 200, body: { name, version, effective: p.effective, model, document: p.document, bundled: true } };
      },
    }),
    route({
      method: "POST",
      path: "/v1/parameter-sets/{name}/preview",
      tag: "parameter sets",
      summary: "Change-impact preview: every account on the set, IM and MM now and under a candidate version",
      access: ["risk"],
      body: previewBodySchema,
      response: { status: 200, description: "{ set, candidate, accounts: [{ id, now, candidate, change }], enteringMarginCall, enteringLiquidation, totals, pinned, failed }" },
      async handler(ctx) {
        const name = ctx.params.name as string;
        let candidate: { version: string; document: Record<string, unknown>; model: string };
        if (ctx.body.version !== undefined) {
          const s = await deps.store.getParameterSet(name, ctx.body.version);
          if (s === null) httpFail("not_found", "body.version", `no parameter set ${name} ${ctx.body.version}`);
          candidate = { version: (s as StoredParameterSet).version, document: (s as StoredParameterSet).document, model: (s as StoredParameterSet).model };
        } else if (ctx.body.parameters !== undefined) {
          const p = ctx.body.parameters as Record<string, unknown>;
          candidate = { version: typeof p.version === "string" ? p.version : "candidate", document: { ...p, name }, model: ctx.body.model ?? "deribit" };
        } else return httpFail("required", "body.version", "give a stored candidate version or inline parameters");
        // Right after a start, a market or a parameter-set change the book binds every stored account in the background
        // (book.rewarm); a preview then would bind and evaluate them all itself, racing it, several times slower than
        // the documented figure. It is refused until that is done, saying so: 503 with Retry-After (netrisk params
        // preview waits and retries).
        const warming = deps.book.warming();
        if (warming !== null)
          httpFail("unavailable", "accounts", `the server is binding the stored accounts after its start or a market or parameter-set change (${warming.accountsDone} so far); the preview needs them all: retry in a moment`, { "retry-after": "1" });
        const started = performance.now();
        const market = await deps.book.market();
        const stored = await allAccounts();
        const on: { id: string; account: Account; bindingKey: string; patch: unknown; offset: boolean; now: Result<PreviewFigures> }[] = [];
        let pinned = 0;
        const failed: { id: string; code: string; message: string }[] = [];
        for (const a of stored) {
          try {
            const b = await deps.book.bound(a);
            if (b.bound.parameterSetRef.name !== name) continue;
            if (typeof a.document.parameterSetVersion === "string") {
              pinned++;
              continue;
            }
            const overrides = a.document.overrides as { parameters?: unknown } | undefined;
            // The "now" figures are kept by the book per binding (and computed in the background after start): a
            // preview evaluates only the candidate for accounts already seen.
            on.push({ id: a.id, account: b.bound.account, bindingKey: b.bound.bindingKey, patch: overrides?.parameters, offset: b.bound.rules.coinCollateralOffset, now: await deps.book.previewNow(a) });
          } catch (e) {
            failed.push({ id: a.id, code: e instanceof HttpError ? e.code : "internal", message: e instanceof Error ? e.message : String(e) });
          }
        }
        const baseModel = modelOf(candidate.model, candidate.document, "body.parameters");
        const engines = new Map<string, MarginEngine>();
        const engineOf = (x: (typeof on)[number]): MarginEngine => {
          let e = engines.get(x.bindingKey);
          if (e === undefined) {
            const model = x.patch === undefined ? baseModel : modelOf(candidate.model, applyMergePatch(candidate.document, x.patch), "body.parameters");
            e = createMarginEngine(model, market.context, { coinCollateralOffset: x.offset });
            engines.set(x.bindingKey, e);
          }
          return e;
        };
        const preview = previewParameterChange(on, engineOf, (a) => a.now);
        return {
          status: 200,
          body: {
            set: name,
            candidate: { version: candidate.version, model: candidate.model },
            marketId: market.stored.id,
            ...preview,
            failed: [...failed, ...preview.failed],
            pinned,
            elapsedMs: performance.now() - started,
          },
        };
      },
    }),
  ];
}
