/**
 * The inner problem of the quasi-explicit SVI fit (svi-fit.ts): a 3-variable least squares in (a, d, c) under the
 * four linear constraints that keep |ρ| < 1 and the wing slopes capped, solved exactly.
 * @module
 */

/** Largest |ρ| allowed: keeps both wings strictly increasing away from the minimum. */
export const RHO_MAX = 0.999;

/**
 * Minimise (x − x*)ᵀH(x − x*) over x = (a, d, c) subject to d − ρ_max·c ≤ 0, −d − ρ_max·c ≤ 0, d + c ≤ capRight,
 * −d + c ≤ capLeft (capRight, capLeft ≥ 0), where x* = H⁻¹r. H is the symmetric 3 × 3 matrix (h00 … h22). Result written into `out`.
 *
 * Exact by enumeration: a convex quadratic's minimum over a polytope is the equality-constrained minimum of one
 * active set that is feasible, so the best feasible candidate among the empty set and every set of one or two
 * constraints is the optimum. Sets of three are never needed: all four normals lie in the (d, c) plane.
 */
export function solveConstrained3(
  h00: number, h01: number, h02: number, h11: number, h12: number, h22: number,
  r0: number, r1: number, r2: number, capRight: number, capLeft: number, out: Float64Array,
): void {
  // A relative ridge of 1e-13 keeps H invertible when fewer than three distinct strikes make it singular.
  const ridge = 1e-13 * (h00 + h11 + h22) + 1e-300;
  const A = h00 + ridge, B = h01, C = h02, D = h11 + ridge, E = h12, F = h22 + ridge;
  const c00 = D * F - E * E, c01 = C * E - B * F, c02 = B * E - C * D;
  const c11 = A * F - C * C, c12 = B * C - A * E, c22 = A * D - B * B;
  const det = A * c00 + B * c01 + C * c02;
  const i00 = c00 / det, i01 = c01 / det, i02 = c02 / det, i11 = c11 / det, i12 = c12 / det, i22 = c22 / det;
  const xa = i00 * r0 + i01 * r1 + i02 * r2;
  const xd = i01 * r0 + i11 * r1 + i12 * r2;
  const xc = i02 * r0 + i12 * r1 + i22 * r2;
  // Constraint j: gd[j]·d + gc[j]·c ≤ hh[j].
  const gd = [1, -1, 1, -1];
  const gc = [-RHO_MAX, -RHO_MAX, 1, 1];
  const hh = [0, 0, capRight, capLeft];
  const tol = 1e-12 * (capRight + capLeft + Math.abs(xc) + Math.abs(xd)) + 1e-300;
  // u_j = H⁻¹ g_j (g_j has no a-component).
  const ua = [0, 0, 0, 0], ud = [0, 0, 0, 0], uc = [0, 0, 0, 0];
  for (let j = 0; j < 4; j++) {
    ua[j] = i01 * gd[j]! + i02 * gc[j]!;
    ud[j] = i11 * gd[j]! + i12 * gc[j]!;
    uc[j] = i12 * gd[j]! + i22 * gc[j]!;
  }
  let bestQ = Number.POSITIVE_INFINITY;
  let ba = xa, bd = xd, bc = xc;
  const consider = (a: number, d: number, c: number): void => {
    for (let j = 0; j < 4; j++) if (gd[j]! * d + gc[j]! * c > hh[j]! + tol) return;
    const ea = a - xa, ed = d - xd, ec = c - xc;
    const q = A * ea * ea + D * ed * ed + F * ec * ec + 2 * (B * ea * ed + C * ea * ec + E * ed * ec);
    if (q < bestQ) {
      bestQ = q;
      ba = a;
      bd = d;
      bc = c;
    }
  };
  consider(xa, xd, xc);
  const viol = [0, 0, 0, 0];
  for (let j = 0; j < 4; j++) viol[j] = gd[j]! * xd + gc[j]! * xc - hh[j]!;
  for (let j = 0; j < 4; j++) {
    const gug = gd[j]! * ud[j]! + gc[j]! * uc[j]!;
    if (!(gug > 0)) continue;
    const lam = viol[j]! / gug;
    consider(xa - lam * ua[j]!, xd - lam * ud[j]!, xc - lam * uc[j]!);
  }
  for (let i = 0; i < 4; i++) {
    for (let j = i + 1; j < 4; j++) {
      const m11 = gd[i]! * ud[i]! + gc[i]! * uc[i]!;
      const m12 = gd[i]! * ud[j]! + gc[i]! * uc[j]!;
      const m22 = gd[j]! * ud[j]! + gc[j]! * uc[j]!;
      const dt = m11 * m22 - m12 * m12;
      if (!(Math.abs(dt) > 1e-14 * (m11 * m22 + 1e-300))) continue;
      const li = (viol[i]! * m22 - viol[j]! * m12) / dt;
      const lj = (viol[j]! * m11 - viol[i]! * m12) / dt;
      consider(xa - li * ua[i]! - lj * ua[j]!, xd - li * ud[i]! - lj * ud[j]!, xc - li * uc[i]! - lj * uc[j]!);
    }
  }
  out[0] = ba;
  out[1] = bd;
  out[2] = bc;
}
