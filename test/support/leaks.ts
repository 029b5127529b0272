/**
 * The leak scanner every suite uses: it knows a scenario's secrets and reports
 * each place where one of them, or an encoded form of it, shows up.
 * Runtime-neutral (Node and Deno).
 */

/** The forms a secret can take in text: raw, URL-encoded, form-encoded, base64 and base64url at each alignment. */
export function secretForms(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)]);
  const bytes = new TextEncoder().encode(secret);
  for (let shift = 0; shift < 3; shift++) {
    const padded = new Uint8Array(shift + bytes.length);
    padded.set(bytes, shift);
    let binary = "";
    for (const byte of padded) binary += String.fromCharCode(byte);
    // Drop the characters that also depend on the neighbouring bytes.
    const core = btoa(binary).slice(shift === 0 ? 0 : 4, -4);
    if (core.length >= 8) {
      forms.add(core);
      forms.add(core.replace(/\+/g, "-").replace(/\//g, "_"));
    }
  }
  return [...forms];
}

/** Every string reachable in a value: an error's message, stack, cause chain and own properties, enumerable or not. */
export function textsOf(value: unknown, seen = new Set<unknown>()): string[] {
  if (value === null || value === undefined) return [];
  if (typeof value === "string") return [value];
  if (typeof value !== "object" && typeof value !== "function") return [String(value)];
  if (seen.has(value)) return [];
  seen.add(value);
  const texts: string[] = [];
  if (value instanceof Error) texts.push(String(value), value.stack ?? "");
  for (const key of Reflect.ownKeys(value)) {
    const descriptor = Object.getOwnPropertyDescriptor(value, key);
    if (descriptor && "value" in descriptor) texts.push(...textsOf(descriptor.value, seen));
  }
  try {
    texts.push(JSON.stringify(value) ?? "");
  } catch {
    // circular or BigInt: the walk above covered it
  }
  return texts;
}

/** Where the secrets appear: `[label, which secret]` pairs; empty when nothing leaked. */
export function findLeaks(secrets: Record<string, string | undefined>, places: Record<string, unknown>): string[] {
  const leaks: string[] = [];
  for (const [place, value] of Object.entries(places)) {
    const texts = textsOf(value);
    for (const [name, secret] of Object.entries(secrets)) {
      if (!secret) continue;
      const forms = secretForms(secret);
      if (texts.some((text) => forms.some((form) => text.includes(form)))) leaks.push(`${name} in ${place}`);
    }
  }
  return leaks;
}

/** Throws when a secret leaked, naming where. */
export function assertNoLeaks(secrets: Record<string, string | undefined>, places: Record<string, unknown>): void {
  const leaks = findLeaks(secrets, places);
  if (leaks.length > 0) throw new Error(`secret leaked: ${leaks.join(", ")}`);
}
