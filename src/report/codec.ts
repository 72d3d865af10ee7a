// The report's embedded data format: JSON where Float64Arrays travel as base64 of their bytes and
// NaN/±Infinity survive (plain JSON would turn them into null), safe to place inside a <script> element.

const CHUNK = 0x8000;

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/**
 * JSON text of a value with typed arrays. Float64Arrays are written as `{"$f64": base64}` (their bytes,
 * little-endian as on every platform foliolab runs on) and non-finite numbers as `{"$num": "NaN"}`.
 * `<`, `>`, `&` and the JS line separators are written as \u escapes, so the text can sit inside
 * `<script type="application/json">` whatever strings the data holds (`</script>` cannot end it early).
 * @example
 *   decodeData(encodeData({ x: Float64Array.of(1, NaN) })); // { x: Float64Array [1, NaN] }
 */
export function encodeData(value: unknown): string {
  const json = JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
    if (v instanceof Float64Array) return { $f64: toBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) };
    if (ArrayBuffer.isView(v)) throw new TypeError(`encodeData: only Float64Array is supported, got ${v.constructor.name}`);
    return v;
  });
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The value `encodeData` wrote, typed arrays and non-finite numbers restored. */
export function decodeData<T = unknown>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o.$f64 === 'string' && Object.keys(o).length === 1) {
        const bytes = fromBase64(o.$f64);
        if (bytes.length % 8) throw new RangeError(`decodeData: a Float64Array of ${bytes.length} bytes`);
        return new Float64Array(bytes.buffer, 0, bytes.length / 8);
      }
      if (typeof o.$num === 'string' && Object.keys(o).length === 1 && o.$num in NON_FINITE) return NON_FINITE[o.$num];
    }
    return v;
  }) as T;
}
