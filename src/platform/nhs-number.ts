// NHS numbers: ten digits, the last a modulus-11 check digit.
// Weights 10..2 on the first nine digits; check = 11 - (sum mod 11); 11 → 0; 10 → invalid.

export type NhsNumber = string & { readonly __brand: 'NhsNumber' };

/** Remove the spaces and hyphens people type ("943 476 5919", "943-476-5919"). */
export function normaliseNhsNumber(input: string): string {
  return input.replace(/[\s-]/g, '');
}

export function nhsCheckDigit(firstNine: string): number | undefined {
  if (!/^\d{9}$/.test(firstNine)) return undefined;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(firstNine[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return undefined;
  return check;
}

export function isValidNhsNumber(input: string): input is NhsNumber {
  const n = normaliseNhsNumber(input);
  if (!/^\d{10}$/.test(n)) return false;
  return nhsCheckDigit(n.slice(0, 9)) === Number(n[9]);
}

export function parseNhsNumber(input: string): NhsNumber | undefined {
  const n = normaliseNhsNumber(input);
  return isValidNhsNumber(n) ? n : undefined;
}

/** '9434765919' → '943 476 5919' */
export function formatNhsNumber(n: string): string {
  return n.length === 10 ? `${n.slice(0, 3)} ${n.slice(3, 6)} ${n.slice(6)}` : n;
}
