/**
 * `GET /openapi.json`: OpenAPI 3.1 generated from the routes themselves: their paths, roles, and the same zod
 * schemas that validate their queries and bodies (zod 4 emits JSON Schema draft 2020-12, which OpenAPI 3.1 uses).
 * @module
 */
import { z } from "zod";
import { VERSION } from "../version.js";
import { route } from "./http.js";
import type { AnyRoute } from "./http.js";

const errorSchema = {
  type: "object",
  properties: {
    error: {
      type: "object",
      properties: {
        code: { type: "string" },
        issues: { type: "array", items: { type: "object", properties: { code: { type: "string" }, path: { type: "string" }, message: { type: "string" } }, required: ["code", "path", "message"] } },
      },
      required: ["code", "issues"],
    },
  },
  required: ["error"],
};

const jsonSchema = (s: z.ZodType): Record<string, unknown> => {
  const out = z.toJSONSchema(s, { io: "input", unrepresentable: "any", target: "draft-2020-12" }) as Record<string, unknown>;
  delete out.$schema;
  return out;
};

export function openApiDocument(routes: readonly AnyRoute[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const params: Record<string, unknown>[] = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: "path", required: true, schema: { type: "string" } }));
    if (r.query !== undefined) {
      const q = jsonSchema(r.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) params.push({ name, in: "query", required: q.required?.includes(name) ?? false, schema });
    }
    const roles = r.access === "public" ? "public" : ["admin", ...r.access].join(", ");
    const op: Record<string, unknown> = {
      summary: r.summary,
      description: `Roles: ${roles}.`,
      tags: [r.tag],
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[^A-Za-z0-9]+(\w)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
      ...(params.length > 0 ? { parameters: params } : {}),
      ...(r.body !== undefined && !r.rawBody ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(r.body) } } } } : {}),
      responses: {
        [String(r.response.status)]: { description: r.response.description, ...(r.response.schema !== undefined ? { content: { "application/json": { schema: jsonSchema(r.response.schema) } } } : {}) },
        "4XX": { description: "the error document", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
      },
      ...(r.access === "public" ? { security: [] } : {}),
    };
    (paths[r.path] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: "3.1.0",
    info: { title: "netrisk margin service", version: VERSION, description: "Portfolio margin as a service. docs/server.md describes routes, roles, storage and the audit log." },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "An API key (netrisk keys create) or an access token from public/auth" },
        deribitSignature: { type: "apiKey", in: "header", name: "Authorization", description: "deri-hmac-sha256 id=...,ts=...,sig=...,nonce=..." },
      },
      schemas: { Error: errorSchema },
    },
    security: [{ bearer: [] }, { deribitSignature: [] }],
    paths,
  };
}

/** The route serving the document (built once, on first request). */
export function openApiRoute(all: () => readonly AnyRoute[]): AnyRoute {
  let doc: Record<string, unknown> | undefined;
  return route({
    method: "GET",
    path: "/openapi.json",
    tag: "service",
    summary: "This API as OpenAPI 3.1, generated from the request schemas",
    access: "public",
    response: { status: 200, description: "the OpenAPI document" },
    handler: () => ({ status: 200, body: (doc ??= openApiDocument(all())) }),
  });
}
