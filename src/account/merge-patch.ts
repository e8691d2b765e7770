/**
 * JSON Merge Patch (RFC 7386): how an account file's `overrides` change a parameter set or the account rules.
 * Objects merge key by key, recursively; `null` deletes a key; anything else (numbers, strings, arrays) replaces.
 * Pure: returns a new value, never mutates its inputs.
 * @module
 */

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Apply `patch` to `target` as RFC 7386 §2 specifies (MergePatch(Target, Patch)).
 * @param target - any JSON value (the preset or the default rules).
 * @param patch - any JSON value; a non-object patch replaces the target entirely.
 * @returns the patched JSON value (fresh objects along every patched path; untouched sub-trees are shared).
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = applyMergePatch(out[key], value);
  }
  return out;
}
